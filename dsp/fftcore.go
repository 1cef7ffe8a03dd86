package dsp

// transform replaces the contents of f.a by their unnormalised DFT of length
// m, Z_k = Σ_j z_j·e^{−2πijk/m}, and returns the buffer holding the result
// (f.a or f.b).
//
// It is a Stockham autosort FFT, decimation in frequency: a pass of radix r
// over sub-transforms of length l (stride s = m/l between their elements)
// reads a_t = x[q + s(p + t·l/r)], t < r, for p < l/r, q < s, and writes
// y[q + s(rp + u)] = (Σ_t a_t·e^{−2πi·tu/r})·e^{−2πi·pu/l}, u < r. After
// the last pass the output is in natural order, with no bit reversal.
func (f *rfft) transform() []complex128 {
	x, y := f.a, f.b
	s := 1
	for i := range f.stages {
		st := &f.stages[i]
		m := st.l / st.r
		vec := useAVX2 && s%2 == 0 && len(x) >= st.l*s && len(y) >= st.l*s && len(st.tw) >= (st.r-1)*m
		switch st.r {
		case 2:
			if vec {
				pass2AVX2(y, x, st.tw, s, m)
			} else {
				pass2(y, x, st, s)
			}
		case 3:
			switch n := s &^ 1; {
			case s == 1:
				pass3first(y, x, st)
			case useAVX2 && len(x) >= st.l*s && len(y) >= st.l*s && len(st.tw) >= 2*m:
				// even columns in pairs, an odd stride's last column in Go
				pass3AVX2(y, x, st.tw, s, m, n, &pass3Consts)
				pass3(y, x, st, s, n)
			default:
				pass3(y, x, st, s, 0)
			}
		case 4:
			switch {
			case vec:
				pass4AVX2(y, x, st.tw, s, m)
			case s == 1 && useAVX2 && m%2 == 0 && len(x) >= st.l && len(y) >= st.l && len(st.tw) >= 3*m:
				pass4firstAVX2(y, x, st.tw, m)
			default:
				pass4(y, x, st, s)
			}
		case 5:
			if vec && m == 1 {
				pass5lastAVX2(y, x, s, &bfly5Consts)
			} else {
				pass5(y, x, st, s)
			}
		case 7:
			if n := s &^ 1; useAVX2 && n > 0 && len(x) >= st.l*s && len(y) >= st.l*s && len(st.tw) >= 6*m {
				pass7AVX2(y, x, st.tw, s, m, n, &bfly7Consts)
				pass7(y, x, st, s, n)
			} else {
				pass7(y, x, st, s, 0)
			}
		default:
			passGeneric(y, x, st, s, f.tmp)
		}
		x, y = y, x
		s *= st.r
	}
	return x
}

// The passes below take, for each p, the r input rows x[s(p+t·l/r) : +s]
// and the r output rows y[s(rp+u) : +s] as slices of length s, so the
// inner loops run without index arithmetic or bounds checks.

// Radix-2: c₀ = a₀ + a₁, c₁ = a₀ − a₁.
func pass2(y, x []complex128, st *fftStage, s int) {
	m := st.l / 2
	for p := 0; p < m; p++ {
		w1 := st.tw[p]
		x0, x1 := x[s*p:s*p+s], x[s*(p+m):s*(p+m)+s]
		o := 2 * s * p
		y0, y1 := y[o:o+s], y[o+s:o+2*s]
		x1, y0, y1 = x1[:len(x0)], y0[:len(x0)], y1[:len(x0)]
		for q, a0 := range x0 {
			a1 := x1[q]
			y0[q] = a0 + a1
			y1[q] = (a0 - a1) * w1
		}
	}
}

// pass3Consts and bfly5Consts are the constants of the radix-3 and radix-5
// butterflies for the AVX2 kernels.
var (
	pass3Consts = [2]float64{0.5, sqrt3by2}
	bfly5Consts = [4]float64{cos5a, cos5b, sin5a, sin5b}
)

// Radix-3: with ω = e^{−2πi/3} = −½ − i·√3/2,
// c₀ = a₀ + (a₁+a₂), c₁,₂ = a₀ − (a₁+a₂)/2 ∓ i·(√3/2)(a₁−a₂).
// It does the columns q ≥ q0 only (the AVX2 kernel does those below).
func pass3(y, x []complex128, st *fftStage, s, q0 int) {
	const h = sqrt3by2
	m := st.l / 3
	for p := 0; p < m; p++ {
		w1, w2 := st.tw[2*p], st.tw[2*p+1]
		x0, x1, x2 := x[s*p+q0:s*p+s], x[s*(p+m)+q0:s*(p+m)+s], x[s*(p+2*m)+q0:s*(p+2*m)+s]
		o := 3*s*p + q0
		y0, y1, y2 := y[o:o+s-q0], y[o+s:o+2*s-q0], y[o+2*s:o+3*s-q0]
		x1, x2, y0, y1, y2 = x1[:len(x0)], x2[:len(x0)], y0[:len(x0)], y1[:len(x0)], y2[:len(x0)]
		for q, a0 := range x0 {
			a1, a2 := x1[q], x2[q]
			t1 := a1 + a2
			t2 := a0 - scale(0.5, t1)
			t3 := scale(h, mulNegI(a1-a2))
			y0[q] = a0 + t1
			y1[q] = (t2 + t3) * w1
			y2[q] = (t2 - t3) * w2
		}
	}
}

// pass3first is pass3 for the first pass (stride 1), one butterfly per p.
func pass3first(y, x []complex128, st *fftStage) {
	const h = sqrt3by2
	m := st.l / 3
	x0, x1, x2 := x[:m], x[m:2*m], x[2*m:3*m]
	y, tw := y[:3*m], st.tw[:2*m]
	for p, a0 := range x0 {
		a1, a2 := x1[p], x2[p]
		t1 := a1 + a2
		t2 := a0 - scale(0.5, t1)
		t3 := scale(h, mulNegI(a1-a2))
		o := y[3*p : 3*p+3]
		w := tw[2*p : 2*p+2]
		o[0] = a0 + t1
		o[1] = (t2 + t3) * w[0]
		o[2] = (t2 - t3) * w[1]
	}
}

// Radix-4: c₀ = (a₀+a₂) + (a₁+a₃), c₂ = (a₀+a₂) − (a₁+a₃),
// c₁,₃ = (a₀−a₂) ∓ i·(a₁−a₃).
func pass4(y, x []complex128, st *fftStage, s int) {
	m := st.l / 4
	if s == 1 {
		pass4first(y, x, st)
		return
	}
	for p := 0; p < m; p++ {
		w1, w2, w3 := st.tw[3*p], st.tw[3*p+1], st.tw[3*p+2]
		x0, x1 := x[s*p:s*p+s], x[s*(p+m):s*(p+m)+s]
		x2, x3 := x[s*(p+2*m):s*(p+2*m)+s], x[s*(p+3*m):s*(p+3*m)+s]
		o := 4 * s * p
		y0, y1, y2, y3 := y[o:o+s], y[o+s:o+2*s], y[o+2*s:o+3*s], y[o+3*s:o+4*s]
		x1, x2, x3 = x1[:len(x0)], x2[:len(x0)], x3[:len(x0)]
		y0, y1, y2, y3 = y0[:len(x0)], y1[:len(x0)], y2[:len(x0)], y3[:len(x0)]
		for q, a0 := range x0 {
			a1, a2, a3 := x1[q], x2[q], x3[q]
			t0, t1 := a0+a2, a0-a2
			t2, t3 := a1+a3, mulNegI(a1-a3)
			y0[q] = t0 + t2
			y1[q] = (t1 + t3) * w1
			y2[q] = (t0 - t2) * w2
			y3[q] = (t1 - t3) * w3
		}
	}
}

// pass4first is pass4 for the first pass (stride 1), one butterfly per p.
func pass4first(y, x []complex128, st *fftStage) {
	m := st.l / 4
	x0, x1, x2, x3 := x[:m], x[m:2*m], x[2*m:3*m], x[3*m:4*m]
	y, tw := y[:4*m], st.tw[:3*m]
	for p, a0 := range x0 {
		a1, a2, a3 := x1[p], x2[p], x3[p]
		t0, t1 := a0+a2, a0-a2
		t2, t3 := a1+a3, mulNegI(a1-a3)
		o := y[4*p : 4*p+4]
		w := tw[3*p : 3*p+3]
		o[0] = t0 + t2
		o[1] = (t1 + t3) * w[0]
		o[2] = (t0 - t2) * w[1]
		o[3] = (t1 - t3) * w[2]
	}
}

// Radix-5: with b₁ = a₁+a₄, b₂ = a₂+a₃, d₁ = a₁−a₄, d₂ = a₂−a₃ and
// θ = 2π/5, c₀ = a₀+b₁+b₂, c₁,₄ = a₀ + cos θ·b₁ + cos 2θ·b₂ ∓ i(sin θ·d₁ + sin 2θ·d₂),
// c₂,₃ = a₀ + cos 2θ·b₁ + cos θ·b₂ ∓ i(sin 2θ·d₁ − sin θ·d₂).
// In the last pass (l = 5, so p = 0) every twiddle is 1 and is skipped.
func pass5(y, x []complex128, st *fftStage, s int) {
	m := st.l / 5
	for p := 0; p < m; p++ {
		tw := st.tw[4*p : 4*p+4]
		x0, x1, x2 := x[s*p:s*p+s], x[s*(p+m):s*(p+m)+s], x[s*(p+2*m):s*(p+2*m)+s]
		x3, x4 := x[s*(p+3*m):s*(p+3*m)+s], x[s*(p+4*m):s*(p+4*m)+s]
		o := 5 * s * p
		y0, y1, y2, y3, y4 := y[o:o+s], y[o+s:o+2*s], y[o+2*s:o+3*s], y[o+3*s:o+4*s], y[o+4*s:o+5*s]
		x1, x2, x3, x4 = x1[:len(x0)], x2[:len(x0)], x3[:len(x0)], x4[:len(x0)]
		y0, y1, y2, y3, y4 = y0[:len(x0)], y1[:len(x0)], y2[:len(x0)], y3[:len(x0)], y4[:len(x0)]
		if m == 1 {
			for q, a0 := range x0 {
				y0[q], y1[q], y2[q], y3[q], y4[q] = bfly5(a0, x1[q], x2[q], x3[q], x4[q])
			}
			continue
		}
		for q, a0 := range x0 {
			c0, c1, c2, c3, c4 := bfly5(a0, x1[q], x2[q], x3[q], x4[q])
			y0[q], y1[q], y2[q], y3[q], y4[q] = c0, c1*tw[0], c2*tw[1], c3*tw[2], c4*tw[3]
		}
	}
}

// Constants of the radix-3 and radix-5 butterflies.
const (
	sqrt3by2 = 0.86602540378443864676  // √3/2
	cos5a    = 0.30901699437494742410  // cos 2π/5
	cos5b    = -0.80901699437494742410 // cos 4π/5
	sin5a    = 0.95105651629515357212  // sin 2π/5
	sin5b    = 0.58778525229247312917  // sin 4π/5
)

// bfly5 is the radix-5 butterfly: c_u = Σ_t a_t·e^{−2πi·tu/5}.
func bfly5(a0, a1, a2, a3, a4 complex128) (c0, c1, c2, c3, c4 complex128) {
	const cos1, cos2, sin1, sin2 = cos5a, cos5b, sin5a, sin5b
	b1, b2, d1, d2 := a1+a4, a2+a3, a1-a4, a2-a3
	e1 := a0 + scale(cos1, b1) + scale(cos2, b2)
	e2 := a0 + scale(cos2, b1) + scale(cos1, b2)
	f1 := mulNegI(scale(sin1, d1) + scale(sin2, d2))
	f2 := mulNegI(scale(sin2, d1) - scale(sin1, d2))
	return a0 + b1 + b2, e1 + f1, e2 + f2, e2 - f2, e1 - f1
}

// Radix-7 (for 44.1 kHz: m = 441 = 3²·7²): with b_j = a_j + a_{7−j},
// d_j = a_j − a_{7−j} and θ = 2π/7, c₀ = a₀ + b₁ + b₂ + b₃ and, for
// u = 1, 2, 3, c_u, c_{7−u} = a₀ + Σ_j cos(juθ)·b_j ∓ i Σ_j sin(juθ)·d_j.
// It does the columns q ≥ q0 only (the AVX2 kernel does those below).
func pass7(y, x []complex128, st *fftStage, s, q0 int) {
	m := st.l / 7
	for p := 0; p < m; p++ {
		tw := st.tw[6*p : 6*p+6]
		var xs, ys [7][]complex128
		for t := range xs {
			xs[t] = x[s*(p+t*m)+q0 : s*(p+t*m)+s]
			ys[t] = y[7*s*p+t*s+q0 : 7*s*p+t*s+s]
		}
		for q, a0 := range xs[0] {
			c0, c1, c2, c3, c4, c5, c6 := bfly7(a0, xs[1][q], xs[2][q], xs[3][q], xs[4][q], xs[5][q], xs[6][q])
			if m > 1 {
				c1, c2, c3, c4, c5, c6 = c1*tw[0], c2*tw[1], c3*tw[2], c4*tw[3], c5*tw[4], c6*tw[5]
			}
			ys[0][q], ys[1][q], ys[2][q], ys[3][q], ys[4][q], ys[5][q], ys[6][q] = c0, c1, c2, c3, c4, c5, c6
		}
	}
}

// Constants of the radix-7 butterfly, and for its AVX2 kernel each four
// times.
const (
	cos7a = 0.62348980185873353053  // cos 2π/7
	cos7b = -0.22252093395631440429 // cos 4π/7
	cos7c = -0.90096886790241912624 // cos 6π/7
	sin7a = 0.78183148246802980871  // sin 2π/7
	sin7b = 0.97492791218182360702  // sin 4π/7
	sin7c = 0.43388373911755812048  // sin 6π/7
)

var bfly7Consts = [6][4]float64{
	{cos7a, cos7a, cos7a, cos7a}, {cos7b, cos7b, cos7b, cos7b}, {cos7c, cos7c, cos7c, cos7c},
	{sin7a, sin7a, sin7a, sin7a}, {sin7b, sin7b, sin7b, sin7b}, {sin7c, sin7c, sin7c, sin7c},
}

// bfly7 is the radix-7 butterfly: c_u = Σ_t a_t·e^{−2πi·tu/7}.
func bfly7(a0, a1, a2, a3, a4, a5, a6 complex128) (c0, c1, c2, c3, c4, c5, c6 complex128) {
	const cos1, cos2, cos3, sin1, sin2, sin3 = cos7a, cos7b, cos7c, sin7a, sin7b, sin7c
	b1, b2, b3 := a1+a6, a2+a5, a3+a4
	d1, d2, d3 := a1-a6, a2-a5, a3-a4
	e1 := a0 + scale(cos1, b1) + scale(cos2, b2) + scale(cos3, b3)
	e2 := a0 + scale(cos2, b1) + scale(cos3, b2) + scale(cos1, b3)
	e3 := a0 + scale(cos3, b1) + scale(cos1, b2) + scale(cos2, b3)
	f1 := mulNegI(scale(sin1, d1) + scale(sin2, d2) + scale(sin3, d3))
	f2 := mulNegI(scale(sin2, d1) - scale(sin3, d2) - scale(sin1, d3))
	f3 := mulNegI(scale(sin3, d1) - scale(sin1, d2) + scale(sin2, d3))
	return a0 + b1 + b2 + b3, e1 + f1, e2 + f2, e3 + f3, e3 - f3, e2 - f2, e1 - f1
}

// scale returns c·z for real c (two multiplications, not four).
func scale(c float64, z complex128) complex128 { return complex(c*real(z), c*imag(z)) }

// passGeneric is the radix-r pass for any r by the direct O(r²) DFT; a is
// scratch of length ≥ r.
func passGeneric(y, x []complex128, st *fftStage, s int, a []complex128) {
	r := st.r
	m := st.l / r
	for p := 0; p < m; p++ {
		for q := 0; q < s; q++ {
			for t := 0; t < r; t++ {
				a[t] = x[q+s*(p+t*m)]
			}
			o := q + s*r*p
			for u := 0; u < r; u++ {
				var c complex128
				for t := 0; t < r; t++ {
					c += a[t] * st.root[t*u%r]
				}
				if u > 0 {
					c *= st.tw[p*(r-1)+u-1]
				}
				y[o+u*s] = c
			}
		}
	}
}
