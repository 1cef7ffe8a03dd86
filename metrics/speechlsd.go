package metrics

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Parameters of SpeechLSD.
const (
	// SpeechRangeDB is how far below the loudest reference frame a frame's
	// energy may lie and still count as a speech frame in SpeechLSD.
	SpeechRangeDB = 40.0
	// SpeechFloorDB places SpeechLSD's power floor ε this far below the
	// mean bin power of the loudest reference frame.
	SpeechFloorDB = 60.0
	// SuppressedDB is the loss beyond which SpeechLSD counts a bin as
	// over-suppressed.
	SuppressedDB = 6.0
)

// SpeechDistortion is SpeechLSD's result.
type SpeechDistortion struct {
	LSD        float64 // log-spectral distance over the speech frames, dB
	Suppressed float64 // share of speech bins more than SuppressedDB below the reference, 0…1
	LostEnergy float64 // share of the speech energy in those bins, 0…1
	Frames     int     // speech frames scored
}

// SpeechLSD measures how deg distorts the speech in ref, both sampled at fs
// Hz and of equal length, on speech frames only. Both are cut into frames
// of L = round(0.020·fs) samples (20 ms) every L/2 samples (full frames
// only), weighted by the periodic sqrt-Hann window
// w[i] = √(0.5 − 0.5 cos(2πi/L)), and transformed by an L-point DFT; with S
// and Ŝ the reference's and deg's spectra on the K = ⌊L/2⌋+1 non-negative
// frequencies,
//
//	E_m    = Σ_k |S(k,m)|²                                  (frame energy)
//	M      = { m : E_m > 0, E_m ≥ 10^(−40/10) · max_m' E_m' } (speech frames)
//	ε      = 10^(−60/10) · max_m E_m / K                    (power floor)
//	LSD_m  = √( (1/K) Σ_k (10 log10((|Ŝ(k,m)|² + ε) / (|S(k,m)|² + ε)))² )
//	LSD    = (1/|M|) Σ_{m∈M} LSD_m
//	Supp_m = |{k : |S(k,m)|² > ε, |Ŝ(k,m)|² < 10^(−6/10)·|S(k,m)|²}| / |{k : |S(k,m)|² > ε}|
//	Supp   = (1/|M|) Σ_{m∈M} Supp_m   (frames with no bin above ε count 0)
//	Lost_m = Σ_{k lost} |S(k,m)|² / Σ_{k : |S(k,m)|² > ε} |S(k,m)|²   (the same bins, weighted by energy)
//	Lost   = (1/|M|) Σ_{m∈M} Lost_m
//
// LSD is 0 for deg = ref and |20 log10 g| for deg = g·ref when every bin is
// far above ε; unlike the level-free SI-SDR it counts a change of level as
// distortion. Supp is the share of the bins where the reference has speech
// energy in which deg lost more than 6 dB of it: over-suppression; Lost
// weighs those bins by the reference's energy, so that weak bins (between
// harmonics, at high frequencies) count little and strong ones much. Frames
// more than 40 dB below the loudest (pauses) are ignored, so noise left in
// the pauses does not count. It returns an error for signals of different
// lengths or fs ≤ 0, ErrTooShort for a signal shorter than one frame, and
// an error when the reference is silent.
func SpeechLSD[T Sample](ref, deg []T, fs int) (SpeechDistortion, error) {
	if len(ref) != len(deg) {
		return SpeechDistortion{}, fmt.Errorf("metrics: SpeechLSD: reference has %d samples, the signal %d", len(ref), len(deg))
	}
	if fs <= 0 {
		return SpeechDistortion{}, fmt.Errorf("metrics: SpeechLSD: sample rate %d Hz", fs)
	}
	L := int(math.Round(0.020 * float64(fs)))
	if L < 2 || len(ref) < L {
		return SpeechDistortion{}, fmt.Errorf("%w: %d samples, a frame is %d", ErrTooShort, len(ref), L)
	}
	hop := L / 2
	w := make([]float64, L)
	for i := range w {
		w[i] = math.Sqrt(0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(L)))
	}
	fft := fourier.NewFFT(L)
	K := L/2 + 1
	var ps, py [][]float64 // |S|², |Ŝ|² per frame
	frame := make([]float64, L)
	c := make([]complex128, K)
	power := func(x []T, s int) []float64 {
		for i := range frame {
			frame[i] = w[i] * float64(x[s+i])
		}
		c = fft.Coefficients(c, frame)
		p := make([]float64, K)
		for k, v := range c {
			p[k] = real(v)*real(v) + imag(v)*imag(v)
		}
		return p
	}
	var energy []float64
	loud := 0.0
	for s := 0; s+L <= len(ref); s += hop {
		p := power(ref, s)
		e := 0.0
		for _, v := range p {
			e += v
		}
		ps, py = append(ps, p), append(py, power(deg, s))
		energy = append(energy, e)
		loud = math.Max(loud, e)
	}
	if loud == 0 || math.IsNaN(loud) || math.IsInf(loud, 0) {
		return SpeechDistortion{}, errors.New("metrics: SpeechLSD: the reference is silent or not finite")
	}
	thr := loud * math.Pow(10, -SpeechRangeDB/10)
	eps := loud / float64(K) * math.Pow(10, -SpeechFloorDB/10)
	lossRatio := math.Pow(10, -SuppressedDB/10)
	var r SpeechDistortion
	for m, e := range energy {
		if e < thr || e == 0 {
			continue
		}
		var d2, eHas, eLost float64
		var has, lost int
		for k, s := range ps[m] {
			y := py[m][k]
			d := 10 * math.Log10((y+eps)/(s+eps))
			d2 += d * d
			if s > eps {
				has++
				eHas += s
				if y < lossRatio*s {
					lost++
					eLost += s
				}
			}
		}
		r.LSD += math.Sqrt(d2 / float64(K))
		if has > 0 {
			r.Suppressed += float64(lost) / float64(has)
			r.LostEnergy += eLost / eHas
		}
		r.Frames++
	}
	r.LSD /= float64(r.Frames)
	r.Suppressed /= float64(r.Frames)
	r.LostEnergy /= float64(r.Frames)
	if math.IsNaN(r.LSD) || math.IsInf(r.LSD, 0) {
		return SpeechDistortion{}, errors.New("metrics: SpeechLSD: the signal is not finite")
	}
	return r, nil
}
