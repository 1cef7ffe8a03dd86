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
// computed with zero-padded real FFTs (c = IFFT(conj(FFT ref) FFT deg), in
// blocks).
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
// correlates positively. The correlation is accumulated block by block over
// ref (FFT size about 4 maxLag), so memory stays O(maxLag) for long signals.
func Delay[T Sample](ref, deg []T, maxLag int) int {
	nr, nd := len(ref), len(deg)
	if nr == 0 || nd == 0 {
		return 0
	}
	if lim := max(nr, nd) - 1; maxLag <= 0 || maxLag > lim {
		maxLag = lim
	}
	size := 1
	for size < 4*maxLag || size < 1024 {
		size <<= 1
	}
	block := size - 2*maxLag // ref samples per block; deg span block+2 maxLag <= size
	c := make([]float64, 2*maxLag+1)
	fft := fourier.NewFFT(size)
	rb, db := make([]float64, size), make([]float64, size)
	var cr, cd []complex128
	for s := 0; s < nr; s += block {
		clear(rb)
		clear(db)
		for i := 0; i < block && s+i < nr; i++ {
			rb[i] = float64(ref[s+i])
		}
		// db[j] = deg[s - maxLag + j], zero outside deg.
		for j := max(0, maxLag-s); j < block+2*maxLag && s-maxLag+j < nd; j++ {
			db[j] = float64(deg[s-maxLag+j])
		}
		cr = fft.Coefficients(cr, rb)
		cd = fft.Coefficients(cd, db)
		for k := range cd {
			cd[k] *= cmplx.Conj(cr[k])
		}
		// Circular index j holds sum_n rb[n] db[n+j] = the block's c[j - maxLag];
		// n+j < block+2 maxLag <= size, so nothing wraps.
		seq := fft.Sequence(db, cd)
		for j := range c {
			c[j] += seq[j] / float64(size)
		}
	}
	best, bestLag := 0.0, 0
	if c[maxLag] > 0 {
		best = c[maxLag]
	}
	for k := 1; k <= maxLag; k++ {
		if c[maxLag+k] > best {
			best, bestLag = c[maxLag+k], k
		}
		if c[maxLag-k] > best {
			best, bestLag = c[maxLag-k], -k
		}
	}
	return bestLag
}
