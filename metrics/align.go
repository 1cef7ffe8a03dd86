package metrics

import (
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Align estimates a constant integer delay between ref and deg and returns
// both signals trimmed to their common, aligned part. The delay is the lag k,
// |k| <= maxLag, that maximises the cross-correlation
//
//	c[k] = sum_n ref[n] deg[n+k],
//
// computed with one zero-padded real FFT (c = IFFT(conj(FFT ref) FFT deg)).
// A positive lag means deg is late: deg[n+lag] matches ref[n], so the first
// lag samples of deg are dropped; a negative lag drops -lag samples from the
// start of ref. Both outputs then have the length of the shorter remainder.
// Ties go to the smallest |k|; if no lag correlates positively (for example
// a silent signal) the lag is 0. maxLag <= 0 means no limit. The outputs are
// sub-slices of the inputs, not copies.
func Align[T Sample](ref, deg []T, maxLag int) (alignedRef, alignedDeg []T, lag int) {
	lag = Delay(ref, deg, maxLag)
	r, d := ref, deg
	if lag > 0 {
		d = d[lag:]
	} else {
		r = r[-lag:]
	}
	n := min(len(r), len(d))
	return r[:n], d[:n], lag
}

// Delay returns the lag Align uses: argmax over |k| <= maxLag of
// c[k] = sum_n ref[n] deg[n+k] (positive when deg is late), 0 when nothing
// correlates positively.
func Delay[T Sample](ref, deg []T, maxLag int) int {
	nr, nd := len(ref), len(deg)
	if nr == 0 || nd == 0 {
		return 0
	}
	size := 1
	for size < nr+nd {
		size <<= 1
	}
	fft := fourier.NewFFT(size)
	buf := make([]float64, size)
	for i, v := range ref {
		buf[i] = float64(v)
	}
	cr := fft.Coefficients(nil, buf)
	clear(buf)
	for i, v := range deg {
		buf[i] = float64(v)
	}
	cd := fft.Coefficients(nil, buf)
	for k := range cd {
		cd[k] *= cmplx.Conj(cr[k])
	}
	c := fft.Sequence(buf, cd) // c[k mod size], unnormalised

	hi, lo := nd-1, nr-1 // largest positive and negative lags with overlap
	if maxLag > 0 {
		hi, lo = min(hi, maxLag), min(lo, maxLag)
	}
	best, bestLag := 0.0, 0
	if c[0] > 0 {
		best = c[0]
	}
	for k := 1; k <= max(hi, lo); k++ {
		if k <= hi && c[k] > best {
			best, bestLag = c[k], k
		}
		if k <= lo && c[size-k] > best {
			best, bestLag = c[size-k], -k
		}
	}
	return bestLag
}
