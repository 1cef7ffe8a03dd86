package metrics

import (
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Segmental SNR and LSD parameters.
const (
	// SegSNRMin and SegSNRMax clamp each frame's SNR in SegSNR, in dB.
	SegSNRMin = -10.0
	SegSNRMax = 35.0
	// lsdFloor is added to the normalised power spectra before the log in LSD.
	lsdFloor = 1e-10
)

// SISDR returns the scale-invariant signal-to-distortion ratio in dB of the
// estimate deg against the reference ref (Le Roux, Wisdom, Erdogan, Hershey,
// "SDR - half-baked or well done?", ICASSP 2019). Both signals are first made
// zero-mean; with s the reference and ŝ the estimate,
//
//	alpha = <ŝ, s> / ||s||^2,  e_target = alpha s,  e_res = ŝ - e_target,
//	SI-SDR = 10 log10(||e_target||^2 / ||e_res||^2).
//
// It does not change when deg is scaled by any non-zero gain. Signals of
// different lengths are compared over their common prefix. The result is +Inf
// for a perfect estimate, -Inf when the estimate is constant (silent) or
// orthogonal to the reference, and NaN when the reference is constant.
func SISDR[T Sample](ref, deg []T) float64 {
	n := min(len(ref), len(deg))
	if n == 0 {
		return math.NaN()
	}
	var ms, mh float64
	for i := 0; i < n; i++ {
		ms += float64(ref[i])
		mh += float64(deg[i])
	}
	ms /= float64(n)
	mh /= float64(n)
	var ss, sh, hh float64
	for i := 0; i < n; i++ {
		s, h := float64(ref[i])-ms, float64(deg[i])-mh
		ss += s * s
		sh += s * h
		hh += h * h
	}
	switch {
	case ss == 0:
		return math.NaN()
	case hh == 0:
		return math.Inf(-1)
	}
	alpha := sh / ss
	var et, er float64
	for i := 0; i < n; i++ {
		s, h := float64(ref[i])-ms, float64(deg[i])-mh
		t := alpha * s
		et += t * t
		er += (h - t) * (h - t)
	}
	return dbRatio(et, er)
}

// SNR returns the signal-to-noise ratio in dB of deg against ref, taking the
// difference as the noise and removing no mean and no gain:
//
//	SNR = 10 log10(sum ref^2 / sum (ref - deg)^2).
//
// Signals of different lengths are compared over their common prefix. The
// result is +Inf for identical signals and NaN when both energies are zero.
func SNR[T Sample](ref, deg []T) float64 {
	n := min(len(ref), len(deg))
	var es, en float64
	for i := 0; i < n; i++ {
		s, d := float64(ref[i]), float64(deg[i])
		es += s * s
		en += (s - d) * (s - d)
	}
	return dbRatio(es, en)
}

// dbRatio is 10 log10(num/den) with the limits spelled out: +Inf for den = 0,
// -Inf for num = 0, NaN for both.
func dbRatio(num, den float64) float64 {
	switch {
	case num == 0 && den == 0:
		return math.NaN()
	case den == 0:
		return math.Inf(1)
	case num == 0:
		return math.Inf(-1)
	}
	return 10 * math.Log10(num/den)
}

// SegSNR returns the segmental SNR in dB of deg against ref sampled at fs Hz,
// following Hansen & Pellom (1998) and Loizou, "Speech Enhancement" (2007),
// comp_snr.m: frames of L = round(0.030 fs) samples (30 ms) every L/4 samples,
// each weighted by the Hann window w[i] = 0.5 - 0.5 cos(2 pi (i+1)/(L+1)), and
//
//	SNR_m   = 10 log10(sum (w x)^2 / (sum (w (x - y))^2 + eps) + eps),
//	SNR_m  <- min(max(SNR_m, -10 dB), 35 dB),
//	SegSNR  = mean over all frames m of SNR_m,
//
// with eps = 2.2e-16. Every frame counts, silent ones included: a frame with
// any error where the reference is silent scores -10 dB, and a frame with no
// error at all scores 35 dB (comp_snr.m gives -10 dB when both the frame and
// its error are exactly zero; this is the one deviation). Signals of
// different lengths are compared over their common prefix; a signal shorter
// than one frame gives NaN.
func SegSNR[T Sample](ref, deg []T, fs int) float64 {
	n := min(len(ref), len(deg))
	L := int(math.Round(0.030 * float64(fs)))
	hop := max(L/4, 1)
	if L < 1 || n < L {
		return math.NaN()
	}
	w := stoiWindow(L)
	var sum float64
	frames := 0
	for s := 0; s+L <= n; s += hop {
		var es, en float64
		for i := 0; i < L; i++ {
			x, y := float64(ref[s+i])*w[i], float64(deg[s+i])*w[i]
			es += x * x
			en += (x - y) * (x - y)
		}
		v := SegSNRMax // an exact frame (en = 0) is perfect, even when silent
		if en > 0 {
			v = 10 * math.Log10(es/(en+epsF64)+epsF64)
		}
		sum += math.Min(math.Max(v, SegSNRMin), SegSNRMax)
		frames++
	}
	return sum / float64(frames)
}

// lsdFrame is the LSD frame length: the power of two nearest to 32 ms.
func lsdFrame(fs int) int {
	return 1 << int(math.Round(math.Log2(0.032*float64(fs))))
}

// LSD returns the log-spectral distance in dB between ref and deg sampled at
// fs Hz: both are cut into frames of K samples, the power of two nearest to
// 32 ms (512 at 16 kHz), every K/4 samples, weighted by a periodic Hann
// window w, and with the power spectra P(k,m) = |FFT(w x_m)(k)|^2 / sum w^2
// on the K/2+1 non-negative frequencies,
//
//	LSD_m = sqrt( mean_k (10 log10(P_ref(k,m) + 1e-10) - 10 log10(P_deg(k,m) + 1e-10))^2 ),
//	LSD   = mean over all frames m of LSD_m.
//
// It is 0 for identical signals and grows with spectral mismatch; the 1e-10
// floor (-100 dB) bounds the contribution of digital silence. Signals of
// different lengths are compared over their common prefix; a signal shorter
// than one frame gives NaN.
func LSD[T Sample](ref, deg []T, fs int) float64 {
	n := min(len(ref), len(deg))
	K := lsdFrame(fs)
	if fs <= 0 || n < K {
		return math.NaN()
	}
	hop := K / 4
	w := make([]float64, K)
	var wsum float64
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(K))
		wsum += w[i] * w[i]
	}
	fft := fourier.NewFFT(K)
	bx, by := make([]float64, K), make([]float64, K)
	cx, cy := make([]complex128, K/2+1), make([]complex128, K/2+1)
	var sum float64
	frames := 0
	for s := 0; s+K <= n; s += hop {
		for i := 0; i < K; i++ {
			bx[i] = w[i] * float64(ref[s+i])
			by[i] = w[i] * float64(deg[s+i])
		}
		cx = fft.Coefficients(cx, bx)
		cy = fft.Coefficients(cy, by)
		var d2 float64
		for k := range cx {
			ax, ay := cmplx.Abs(cx[k]), cmplx.Abs(cy[k])
			d := 10*math.Log10(ax*ax/wsum+lsdFloor) - 10*math.Log10(ay*ay/wsum+lsdFloor)
			d2 += d * d
		}
		sum += math.Sqrt(d2 / float64(len(cx)))
		frames++
	}
	return sum / float64(frames)
}
