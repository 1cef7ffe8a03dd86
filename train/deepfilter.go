package train

import (
	"math"
	"math/cmplx"
	"math/rand/v2"

	"github.com/ghostrnn/ghostrnn/dsp"
)

// Oracle deep filter (issue 16): in each bin k below DFBins the output is
//
//	Y(t, k) = Σ_{i<DFOrder} C_k(i) · X(t − i, k)
//
// with complex coefficients held over blocks of DFBlock frames and fitted by
// least squares to the clean S over the block (normal equations, a 10⁻⁹
// relative ridge); above DFBins the ideal real gain per bin, clipped to
// [0, 1]. Its control fits the same filter to random input R (complex
// Gaussian with |X|'s magnitude per bin and frame) in place of X: what it
// reaches measures the fitting freedom of 3 coefficients over 4 frames, not
// information in X.
const (
	DFOrder = 3
	DFBlock = 4
	DFBins  = 41 // bins 0 … 40: up to 2 kHz at 50 Hz per bin
)

// ApplyDeepFilterOracle returns the oracle deep filter's output for noisy
// and clean, aligned with the input; with control it fits random input
// (seeded by seed) instead of the noisy spectrum.
func ApplyDeepFilterOracle(noisy, clean []float32, control bool, seed uint64) []float32 {
	cfg := dsp.DefaultConfig
	an, _ := dsp.NewAnalyzer(cfg)
	as, _ := dsp.NewAnalyzer(cfg)
	syn, _ := dsp.NewSynthesizer(cfg)
	h, lat, kb := cfg.Hop, cfg.Latency(), cfg.Bins()
	n := (len(noisy) + lat + h - 1) / h * h
	pad := func(v []float32) []float32 { p := make([]float32, n); copy(p, v); return p }
	xp, sp := pad(noisy), pad(clean)
	nt := n / h
	X := make([][]complex128, nt)
	S := make([][]complex128, nt)
	for t := range X {
		X[t] = append([]complex128(nil), an.Frame(xp[t*h:(t+1)*h])...)
		S[t] = append([]complex128(nil), as.Frame(sp[t*h:(t+1)*h])...)
	}
	in := X
	if control {
		rng := rand.New(rand.NewPCG(seed, 77))
		in = make([][]complex128, nt)
		for t := range in {
			in[t] = make([]complex128, kb)
			for k := range in[t] {
				in[t][k] = complex(rng.NormFloat64(), rng.NormFloat64()) * complex(cmplx.Abs(X[t][k])/math.Sqrt2, 0)
			}
		}
	}
	Y := make([][]complex128, nt)
	for t := range Y {
		Y[t] = make([]complex128, kb)
		for k := DFBins; k < kb; k++ {
			x, s := X[t][k], S[t][k]
			if p := real(x)*real(x) + imag(x)*imag(x); p > 0 {
				Y[t][k] = complex(min(max((real(s)*real(x)+imag(s)*imag(x))/p, 0), 1), 0) * x
			}
		}
	}
	var a [DFOrder * DFOrder]complex128
	var b, c [DFOrder]complex128
	for t0 := 0; t0 < nt; t0 += DFBlock {
		for k := 0; k < DFBins; k++ {
			clear(a[:])
			clear(b[:])
			for t := t0; t < min(t0+DFBlock, nt); t++ {
				for i := 0; i < DFOrder; i++ {
					xi := tap(in, t-i, k)
					b[i] += cmplx.Conj(xi) * S[t][k]
					for j := 0; j < DFOrder; j++ {
						a[i*DFOrder+j] += cmplx.Conj(xi) * tap(in, t-j, k)
					}
				}
			}
			solveHermitian(a[:], b[:], c[:])
			for t := t0; t < min(t0+DFBlock, nt); t++ {
				var y complex128
				for i := 0; i < DFOrder; i++ {
					y += c[i] * tap(in, t-i, k)
				}
				Y[t][k] = y
			}
		}
	}
	out := make([]float32, n)
	for t := range Y {
		syn.Frame(out[t*h:(t+1)*h], Y[t])
	}
	return out[lat : lat+len(noisy)]
}

func tap(x [][]complex128, t, k int) complex128 {
	if t < 0 {
		return 0
	}
	return x[t][k]
}

// solveHermitian solves (A + εI) c = b for the n×n matrix A (row-major, n =
// len(b)), ε = 10⁻⁹·trace(A)/n + 10⁻³⁰, by Gaussian elimination with partial
// pivoting; A and b are overwritten.
func solveHermitian(a, b, c []complex128) {
	n := len(b)
	var tr float64
	for i := 0; i < n; i++ {
		tr += real(a[i*n+i])
	}
	eps := 1e-9*tr/float64(n) + 1e-30
	for i := 0; i < n; i++ {
		a[i*n+i] += complex(eps, 0)
	}
	for col := 0; col < n; col++ {
		p := col
		for r := col + 1; r < n; r++ {
			if cmplx.Abs(a[r*n+col]) > cmplx.Abs(a[p*n+col]) {
				p = r
			}
		}
		if p != col {
			for j := 0; j < n; j++ {
				a[p*n+j], a[col*n+j] = a[col*n+j], a[p*n+j]
			}
			b[p], b[col] = b[col], b[p]
		}
		for r := col + 1; r < n; r++ {
			f := a[r*n+col] / a[col*n+col]
			for j := col; j < n; j++ {
				a[r*n+j] -= f * a[col*n+j]
			}
			b[r] -= f * b[col]
		}
	}
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for j := i + 1; j < n; j++ {
			s -= a[i*n+j] * c[j]
		}
		c[i] = s / a[i*n+i]
	}
}
