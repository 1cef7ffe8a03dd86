package dsp

import (
	"math"
	"sync"
)

// rfft is the unnormalised real DFT of one even length n = 2m and its
// inverse, for the STFT. It packs the real sequence into m complex values
// z[j] = x[2j] + i·x[2j+1], transforms them with one mixed-radix complex FFT
// of length m and untangles the spectrum (see forward); the inverse runs the
// same steps backwards. It allocates nothing after newRFFT and is not safe
// for concurrent use.
type rfft struct {
	n, m   int
	stages []fftStage
	a, b   []complex128 // ping-pong buffers of the complex FFT, length m
	twist  []complex128 // e^{−2πik/n}, k < m
	tmp    []complex128 // scratch of the generic butterfly, length of the largest radix
}

// fftStage is one pass of the complex FFT: radix r butterflies on a
// sub-transform of length l (the passes' l are m, m/r₁, m/(r₁r₂), …).
type fftStage struct {
	r, l int
	tw   []complex128 // tw[p(r−1)+u−1] = e^{−2πi·pu/l}, p < l/r, 1 ≤ u < r
	root []complex128 // e^{−2πi·t/r}, t < r (generic butterfly only)
}

// newRFFT prepares transforms of even length n ≥ 2. Transforms of the same
// length share their read-only tables (rfftTables), so an analyzer and a
// synthesizer, and the engines of several channels, keep one copy in cache.
func newRFFT(n int) *rfft {
	m := n / 2
	t := rfftTables(n)
	f := &rfft{n: n, m: m, a: make([]complex128, m), b: make([]complex128, m), twist: t.twist, stages: t.stages}
	for _, st := range t.stages {
		if st.root != nil {
			f.tmp = make([]complex128, max(len(f.tmp), st.r))
		}
	}
	return f
}

// rfftTab holds the tables of the transforms of one length.
type rfftTab struct {
	twist  []complex128
	stages []fftStage
}

var (
	rfftTabMu sync.Mutex
	rfftTabs  = map[int]*rfftTab{}
)

// rfftTables returns the tables of length n, computed on first use.
func rfftTables(n int) *rfftTab {
	rfftTabMu.Lock()
	defer rfftTabMu.Unlock()
	if t, ok := rfftTabs[n]; ok {
		return t
	}
	m := n / 2
	t := &rfftTab{twist: make([]complex128, m)}
	for k := range t.twist {
		t.twist[k] = cis(-2 * math.Pi * float64(k) / float64(n))
	}
	l := m
	for _, r := range radices(m) {
		st := fftStage{r: r, l: l, tw: make([]complex128, l/r*(r-1))}
		for p := 0; p < l/r; p++ {
			for u := 1; u < r; u++ {
				st.tw[p*(r-1)+u-1] = cis(-2 * math.Pi * float64(p*u) / float64(l))
			}
		}
		if r > 5 && r != 7 {
			st.root = make([]complex128, r)
			for t := range st.root {
				st.root[t] = cis(-2 * math.Pi * float64(t) / float64(r))
			}
		}
		t.stages = append(t.stages, st)
		l /= r
	}
	rfftTabs[n] = t
	return t
}

// radices factors m into the butterfly sizes used, 4s first, then 2, 3, 5,
// 7 and any other prime (handled by the generic O(r²) butterfly).
func radices(m int) []int {
	var rs []int
	for m%4 == 0 {
		rs, m = append(rs, 4), m/4
	}
	for _, p := range []int{2, 3, 5} {
		for m%p == 0 {
			rs, m = append(rs, p), m/p
		}
	}
	for p := 7; m > 1; p += 2 {
		for m%p == 0 {
			rs, m = append(rs, p), m/p
		}
	}
	return rs
}

// cis returns e^{it}.
func cis(t float64) complex128 { s, c := math.Sincos(t); return complex(c, s) }

// forward sets dst[k] = Σ_j w[j]·x[j]·e^{−2πijk/n} for k = 0 … m (len(dst) = m+1).
//
// With Z = FFT_m(z) for z[j] = w[2j]x[2j] + i·w[2j+1]x[2j+1], the spectra of
// the even and odd samples are E_k = (Z_k + Z*_{m−k})/2 and
// O_k = (Z_k − Z*_{m−k})/(2i) (Z_m = Z_0), and X_k = E_k + e^{−2πik/n}·O_k.
// Since E_{m−k} = E*_k, O_{m−k} = O*_k and e^{−2πi(m−k)/n} = −(e^{−2πik/n})*,
// X_{m−k} = (E_k − e^{−2πik/n}·O_k)*: one complex product per pair k, m − k.
func (f *rfft) forward(dst []complex128, x, w []float64) {
	m := f.m
	z := f.a
	x, w = x[:2*m], w[:2*m]
	for j := range z {
		z[j] = complex(x[2*j]*w[2*j], x[2*j+1]*w[2*j+1])
	}
	f.untangle(dst)
}

// forwardHops is forward of the n = 2h samples x = (x0, x1), len(x0) =
// len(x1) = h a multiple of 4, on a CPU with AVX2: the float32 samples are
// windowed straight into the packed input.
func (f *rfft) forwardHops(dst []complex128, x0, x1 []float32, w []float64) {
	h := f.m
	packAVX2f32(f.a[:h/2], x0[:h], w[:h])
	packAVX2f32(f.a[h/2:h], x1[:h], w[h:2*h])
	f.untangle(dst)
}

// untangle transforms the packed input z = f.a and sets dst from it (the
// rest of forward).
func (f *rfft) untangle(dst []complex128) {
	m := f.m
	dst = dst[:m+1]
	z := f.transform()
	z0 := z[0]
	dst[0] = complex(real(z0)+imag(z0), 0) // E_0 + O_0, both real
	dst[m] = complex(real(z0)-imag(z0), 0) // E_0 − O_0
	tw := f.twist[:m]
	z = z[:m]
	k := 1
	if pairs := (m - 1) / 4; useAVX2 && pairs > 0 {
		untangleFwdAVX2(dst, z, tw, m, pairs)
		k += 2 * pairs
	}
	for ; 2*k <= m; k++ {
		zk, zm := z[k], conj(z[m-k])
		e := scale(0.5, zk+zm)
		o := scale(0.5, mulNegI(zk-zm))
		t := tw[k] * o
		dst[k] = e + t
		if 2*k < m {
			dst[m-k] = conj(e - t)
		}
	}
}

// inverse sets dst[j] = Σ_{k<n} X_k·e^{+2πijk/n} (len(dst) = n), the
// unnormalised inverse, from X_0 … X_m (len(X) = m+1) and X_{n−k} = X*_k.
// The imaginary parts of X_0 and X_m are ignored.
//
// It forms Y_k = (X_k + X*_{m−k}) + i·e^{+2πik/n}·(X_k − X*_{m−k}), whose
// unnormalised inverse FFT_m is y[j] = x[2j] + i·x[2j+1], computed as
// conj(FFT_m(conj(Y))). With A = X_k + X*_{m−k} and
// C = e^{+2πik/n}·(X_k − X*_{m−k}), Y_k = A + iC and Y_{m−k} = A* + iC*:
// one complex product per pair k, m − k.
func (f *rfft) inverse(dst []float64, X []complex128) {
	z := f.inverseZ(X)
	dst = dst[:2*len(z)]
	for j, v := range z {
		dst[2*j], dst[2*j+1] = real(v), -imag(v)
	}
}

// inverseZ is inverse up to its last step: it returns the buffer z with
// z[j] = x[2j] − i·x[2j+1].
func (f *rfft) inverseZ(X []complex128) []complex128 {
	m := f.m
	y := f.a[:m]
	X = X[:m+1]
	x0, xm := real(X[0]), real(X[m])
	y[0] = complex(x0+xm, -(x0 - xm)) // conj(Y_0), Y_0 = (X_0 + X_m) + i(X_0 − X_m)
	tw := f.twist[:m]
	k := 1
	if pairs := (m - 1) / 4; useAVX2 && pairs > 0 {
		untangleInvAVX2(y, X, tw, m, pairs)
		k += 2 * pairs
	}
	for ; 2*k <= m; k++ {
		xk, xc := X[k], conj(X[m-k])
		a := xk + xc
		ic := mulI(conj(tw[k]) * (xk - xc))
		y[k] = conj(a + ic)
		if 2*k < m {
			y[m-k] = a - ic
		}
	}
	return f.transform()
}

// conj, mulI and mulNegI return z*, i·z and −i·z without multiplications.
func conj(z complex128) complex128    { return complex(real(z), -imag(z)) }
func mulI(z complex128) complex128    { return complex(-imag(z), real(z)) }
func mulNegI(z complex128) complex128 { return complex(imag(z), -real(z)) }
