package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"sync"

	"gonum.org/v1/gonum/dsp/fourier"
)

// STOI parameters (Taal et al. 2011, as in pystoi 0.4.1).
const (
	stoiFS       = 10000 // internal sample rate, Hz
	stoiFrameLen = 256   // frame length (25.6 ms)
	stoiHop      = 128   // 50 % overlap
	stoiNFFT     = 512   // zero-padded FFT size
	stoiNumBands = 15    // one-third-octave bands
	stoiMinFreq  = 150   // centre of the lowest band, Hz
	stoiN        = 30    // frames per short-time segment (384 ms)
	stoiBeta     = -15.0 // lower signal-to-distortion bound, dB
	stoiDynRange = 40.0  // speech dynamic range for silent-frame removal, dB
)

// ErrTooShort is returned when a signal is too short to be scored; for STOI
// this means fewer than 30 frames (384 ms of active speech at 10 kHz) remain
// after silent-frame removal.
var ErrTooShort = errors.New("metrics: signal too short")

// STOI returns the short-time objective intelligibility of deg with respect
// to the clean reference ref, both sampled at fs Hz and of equal length
// (Taal, Hendriks, Heusdens, Jensen, IEEE TASLP 2011), computed as pystoi 0.4.1:
//
//  1. resample to 10 kHz (see Resample);
//  2. drop frames (256 samples, hop 128, Hann window hanning(258)[1:-1])
//     whose reference energy is more than 40 dB below the loudest frame, and
//     overlap-add the remaining windowed frames of both signals back together;
//  3. STFT with the same window and a 512-point FFT, and group the power into
//     15 one-third-octave bands from 150 Hz: X_j(m) = sqrt(sum_{k in band j} |X(k,m)|^2);
//  4. for each band j and each segment of N = 30 consecutive frames ending at m,
//     normalise the degraded envelope to the reference energy and clip it,
//     y' = min(y ||x||/||y||, (1 + 10^(-beta/20)) x) with beta = -15 dB, and
//     take the correlation coefficient d_j,m = <x - mean x, y' - mean y'> / (||x - mean x|| ||y' - mean y'||);
//  5. STOI = mean over all j, m of d_j,m.
//
// The result lies in [-1, 1], about 1 for perfect intelligibility. It returns
// ErrTooShort if fewer than 30 frames remain after step 2 (pystoi warns and
// returns 1e-5 instead).
func STOI[T Sample](ref, deg []T, fs int) (float64, error) {
	x, y, err := stoiEnvelopes(toF64(ref), toF64(deg), fs)
	if err != nil {
		return 0, err
	}
	return stoiFromEnvelopes(x, y), nil
}

// ESTOI returns the extended STOI of deg with respect to ref (Jensen & Taal,
// IEEE TASLP 2016), as pystoi 0.4.1 with extended=True. Steps 1-3 are those of
// STOI; then each 15 x 30 segment of one-third-octave envelopes is normalised
// first row-wise (each band over time to zero mean, unit norm) and then
// column-wise (each frame over bands to zero mean, unit norm), giving X̃ and Ỹ, and
//
//	ESTOI = mean over segments of (1/N) sum_{j,n} X̃[j,n] Ỹ[j,n],
//
// i.e. the average correlation between normalised spectra. Unlike pystoi no
// random dither is added before the normalisations (rows or columns with zero
// norm stay zero), so the result is deterministic. Errors as STOI.
func ESTOI[T Sample](ref, deg []T, fs int) (float64, error) {
	x, y, err := stoiEnvelopes(toF64(ref), toF64(deg), fs)
	if err != nil {
		return 0, err
	}
	return estoiFromEnvelopes(x, y), nil
}

// stoiEnvelopes runs steps 1-3 and returns the one-third-octave envelopes
// [band][frame] of both signals.
func stoiEnvelopes(x, y []float64, fs int) (xt, yt [][]float64, err error) {
	if len(x) != len(y) {
		return nil, nil, fmt.Errorf("metrics: STOI needs equal lengths, got %d and %d", len(x), len(y))
	}
	if fs != stoiFS {
		if x, err = Resample(x, fs, stoiFS); err != nil {
			return nil, nil, err
		}
		if y, err = Resample(y, fs, stoiFS); err != nil {
			return nil, nil, err
		}
	}
	x, y = removeSilentFrames(x, y, stoiDynRange, stoiFrameLen, stoiHop)
	xt = thirdOctEnvelopes(x)
	yt = thirdOctEnvelopes(y)
	if len(xt[0]) < stoiN {
		return nil, nil, fmt.Errorf("%w: %d STFT frames after silent-frame removal, STOI needs %d",
			ErrTooShort, len(xt[0]), stoiN)
	}
	return xt, yt, nil
}

// stoiWindow returns MATLAB's hanning(n) = numpy.hanning(n+2)[1:-1]:
// w[i] = 0.5 - 0.5 cos(2 pi (i+1)/(n+1)).
func stoiWindow(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i+1)/float64(n+1))
	}
	return w
}

// frameStarts lists the frame offsets pystoi uses: range(0, n-framelen, hop)
// (so a frame ending exactly at the last sample is left out).
func frameStarts(n, framelen, hop int) []int {
	var s []int
	for i := 0; i < n-framelen; i += hop {
		s = append(s, i)
	}
	return s
}

// removeSilentFrames keeps the windowed frames whose reference energy
// 20 log10(||w x_frame|| + eps) is within dynRange dB of the loudest frame and
// overlap-adds the kept frames of x and y, consecutively at hop, into new
// signals of length (kept-1)*hop + framelen (pystoi.utils.remove_silent_frames).
func removeSilentFrames(x, y []float64, dynRange float64, framelen, hop int) ([]float64, []float64) {
	w := stoiWindow(framelen)
	starts := frameStarts(len(x), framelen, hop)
	if len(starts) == 0 {
		return nil, nil
	}
	en := make([]float64, len(starts))
	maxE := math.Inf(-1)
	for f, s := range starts {
		var e float64
		for i := 0; i < framelen; i++ {
			v := w[i] * x[s+i]
			e += v * v
		}
		en[f] = 20 * math.Log10(math.Sqrt(e)+epsF64)
		maxE = math.Max(maxE, en[f])
	}
	var kept []int
	for f, s := range starts {
		if maxE-dynRange-en[f] < 0 {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 { // only with NaN input
		return nil, nil
	}
	n := (len(kept)-1)*hop + framelen
	xs, ys := make([]float64, n), make([]float64, n)
	for c, s := range kept {
		o := c * hop
		for i := 0; i < framelen; i++ {
			xs[o+i] += w[i] * x[s+i]
			ys[o+i] += w[i] * y[s+i]
		}
	}
	return xs, ys
}

// thirdOct is the one-third-octave band matrix of pystoi.utils.thirdoct, as
// half-open FFT-bin ranges [lo, hi) per band.
var thirdOct = sync.OnceValue(func() [][2]int {
	nb := stoiNFFT/2 + 1
	f := make([]float64, nb)
	for k := range f {
		f[k] = float64(k) * stoiFS / stoiNFFT
	}
	nearest := func(fr float64) int {
		best, bi := math.Inf(1), 0
		for k, v := range f {
			if d := (v - fr) * (v - fr); d < best {
				best, bi = d, k
			}
		}
		return bi
	}
	bands := make([][2]int, stoiNumBands)
	for j := range bands {
		k := float64(j)
		lo := stoiMinFreq * math.Pow(2, (2*k-1)/6)
		hi := stoiMinFreq * math.Pow(2, (2*k+1)/6)
		bands[j] = [2]int{nearest(lo), nearest(hi)}
	}
	return bands
})

// thirdOctEnvelopes computes the STFT of x (Hann frames of 256, hop 128,
// 512-point FFT) and returns sqrt of the band powers, indexed [band][frame].
func thirdOctEnvelopes(x []float64) [][]float64 {
	bands := thirdOct()
	w := stoiWindow(stoiFrameLen)
	starts := frameStarts(len(x), stoiFrameLen, stoiHop)
	out := make([][]float64, stoiNumBands)
	for j := range out {
		out[j] = make([]float64, len(starts))
	}
	fft := fourier.NewFFT(stoiNFFT)
	buf := make([]float64, stoiNFFT)
	coef := make([]complex128, stoiNFFT/2+1)
	pow := make([]float64, len(coef))
	for f, s := range starts {
		for i := 0; i < stoiFrameLen; i++ {
			buf[i] = w[i] * x[s+i]
		}
		coef = fft.Coefficients(coef, buf)
		for k, c := range coef {
			a := cmplx.Abs(c)
			pow[k] = a * a
		}
		for j, b := range bands {
			var e float64
			for k := b[0]; k < b[1]; k++ {
				e += pow[k]
			}
			out[j][f] = math.Sqrt(e)
		}
	}
	return out
}

// stoiFromEnvelopes is step 4-5 of STOI.
func stoiFromEnvelopes(xt, yt [][]float64) float64 {
	clip := 1 + math.Pow(10, -stoiBeta/20)
	nf := len(xt[0])
	segs := nf - stoiN + 1
	yp := make([]float64, stoiN)
	var total float64
	for m := stoiN; m <= nf; m++ {
		for j := range xt {
			xs, ys := xt[j][m-stoiN:m], yt[j][m-stoiN:m]
			alpha := norm2(xs) / (norm2(ys) + epsF64)
			for i := range ys {
				yp[i] = math.Min(alpha*ys[i], clip*xs[i])
			}
			total += corrEps(xs, yp)
		}
	}
	return total / float64(segs*len(xt))
}

// corrEps is the correlation coefficient with pystoi's eps-regularised norms.
func corrEps(x, y []float64) float64 {
	mx, my := mean(x), mean(y)
	var sxy, sxx, syy float64
	for i := range x {
		a, b := x[i]-mx, y[i]-my
		sxy += a * b
		sxx += a * a
		syy += b * b
	}
	return sxy / ((math.Sqrt(sxx) + epsF64) * (math.Sqrt(syy) + epsF64))
}

// estoiFromEnvelopes applies the row/column normalisation of extended STOI.
func estoiFromEnvelopes(xt, yt [][]float64) float64 {
	nb, nf := len(xt), len(xt[0])
	segs := nf - stoiN + 1
	xs := make([][]float64, nb)
	ys := make([][]float64, nb)
	for j := range xs {
		xs[j] = make([]float64, stoiN)
		ys[j] = make([]float64, stoiN)
	}
	var total float64
	for m := stoiN; m <= nf; m++ {
		for j := 0; j < nb; j++ {
			copy(xs[j], xt[j][m-stoiN:m])
			copy(ys[j], yt[j][m-stoiN:m])
		}
		rowColNormalize(xs)
		rowColNormalize(ys)
		var s float64
		for j := 0; j < nb; j++ {
			for n := 0; n < stoiN; n++ {
				s += xs[j][n] * ys[j][n]
			}
		}
		total += s / stoiN
	}
	return total / float64(segs)
}

// rowColNormalize makes every row of a zero-mean and unit-norm, then every
// column. Zero-norm rows or columns are left at zero.
func rowColNormalize(a [][]float64) {
	for _, r := range a {
		mr := mean(r)
		for i := range r {
			r[i] -= mr
		}
		if n := norm2(r); n > 0 {
			for i := range r {
				r[i] /= n
			}
		}
	}
	nc := len(a[0])
	for c := 0; c < nc; c++ {
		var mc float64
		for _, r := range a {
			mc += r[c]
		}
		mc /= float64(len(a))
		var ss float64
		for _, r := range a {
			r[c] -= mc
			ss += r[c] * r[c]
		}
		if ss > 0 {
			n := math.Sqrt(ss)
			for _, r := range a {
				r[c] /= n
			}
		}
	}
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func norm2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}
