package train

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Resample reads x at positions n·ratio (ratio = input rate / output rate)
// with a Hann-windowed sinc of halfTaps zero crossings per side whose cutoff
// is min(1, 1/ratio) of the input Nyquist frequency, so downsampling does not
// alias. The kernel is tabulated (512 phases per sample, linearly
// interpolated). The output has floor(len(x)/ratio) samples.
func Resample(x []float32, ratio float64, halfTaps int) []float32 {
	if ratio <= 0 || len(x) == 0 {
		return nil
	}
	fc := min(1, 1/ratio)
	const phases = 512
	reach := float64(halfTaps) / fc // kernel half-width in input samples
	nt := int(math.Ceil(reach*phases)) + 2
	tab := make([]float64, nt)
	for i := range tab {
		d := float64(i) / phases
		if d >= reach {
			continue
		}
		v := fc
		if d > 0 {
			v = math.Sin(math.Pi*fc*d) / (math.Pi * d)
		}
		tab[i] = v * (0.5 + 0.5*math.Cos(math.Pi*d/reach))
	}
	n := int(float64(len(x)) / ratio)
	y := make([]float32, n)
	r := int(math.Ceil(reach))
	// The taps left of t sit at distances frac + m and those right of it at
	// m − frac (frac = t − ⌊t⌋, m a whole number), so in table units all
	// left taps share one interpolation fraction and step by a whole
	// number of table rows, and so do the right ones. The arithmetic is the
	// same as evaluating each tap at |t − k|·phases, to the bit.
	for i := range y {
		t := float64(i) * ratio
		k0 := int(t)
		lo, hi := max(k0-r+1, 0), min(k0+r, len(x)-1)
		fp := (t - float64(k0)) * phases
		var s float64
		if lo <= k0 {
			jl := int(fp) + (k0-lo)*phases // row of the leftmost tap
			fl := fp - float64(int(fp))
			for k := lo; k <= k0; k, jl = k+1, jl-phases {
				if jl+1 < nt {
					s += float64(x[k]) * (tab[jl] + fl*(tab[jl+1]-tab[jl]))
				}
			}
		}
		for k := k0 + 1; k <= hi; k++ {
			d := float64((k-k0)*phases) - fp
			j := int(d)
			if j+1 >= nt {
				break // taps only move further out
			}
			s += float64(x[k]) * (tab[j] + (d-float64(j))*(tab[j+1]-tab[j]))
		}
		y[i] = float32(s)
	}
	return y
}

// Biquad is a second-order IIR section (RBJ audio-EQ cookbook), normalised
// so that a0 = 1: y = b0 x + b1 x₋₁ + b2 x₋₂ − a1 y₋₁ − a2 y₋₂.
type Biquad struct{ B0, B1, B2, A1, A2 float64 }

func rbj(kind string, fs, f0, q, gainDB float64) Biquad {
	w := 2 * math.Pi * f0 / fs
	cw, sw := math.Cos(w), math.Sin(w)
	al := sw / (2 * q)
	A := math.Pow(10, gainDB/40)
	var b0, b1, b2, a0, a1, a2 float64
	switch kind {
	case "peak":
		b0, b1, b2 = 1+al*A, -2*cw, 1-al*A
		a0, a1, a2 = 1+al/A, -2*cw, 1-al/A
	case "lowshelf":
		sa := 2 * math.Sqrt(A) * al
		b0 = A * ((A + 1) - (A-1)*cw + sa)
		b1 = 2 * A * ((A - 1) - (A+1)*cw)
		b2 = A * ((A + 1) - (A-1)*cw - sa)
		a0 = (A + 1) + (A-1)*cw + sa
		a1 = -2 * ((A - 1) + (A+1)*cw)
		a2 = (A + 1) + (A-1)*cw - sa
	case "highshelf":
		sa := 2 * math.Sqrt(A) * al
		b0 = A * ((A + 1) + (A-1)*cw + sa)
		b1 = -2 * A * ((A - 1) + (A+1)*cw)
		b2 = A * ((A + 1) + (A-1)*cw - sa)
		a0 = (A + 1) - (A-1)*cw + sa
		a1 = 2 * ((A - 1) - (A+1)*cw)
		a2 = (A + 1) - (A-1)*cw - sa
	case "lowpass":
		b0, b1, b2 = (1-cw)/2, 1-cw, (1-cw)/2
		a0, a1, a2 = 1+al, -2*cw, 1-al
	case "highpass":
		b0, b1, b2 = (1+cw)/2, -(1 + cw), (1+cw)/2
		a0, a1, a2 = 1+al, -2*cw, 1-al
	}
	return Biquad{b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0}
}

// Apply filters x in place from zero state.
func (f Biquad) Apply(x []float32) {
	var x1, x2, y1, y2 float64
	for i, v := range x {
		xv := float64(v)
		y := f.B0*xv + f.B1*x1 + f.B2*x2 - f.A1*y1 - f.A2*y2
		x2, x1, y2, y1 = x1, xv, y1, y
		x[i] = float32(y)
	}
}

// Convolve2 returns the first len(x) samples of x * h1 and of x * h2,
// computed by FFT with one transform of x.
func Convolve2(x, h1, h2 []float32) (y1, y2 []float32) {
	ys := Convolve(x, h1, h2)
	return ys[0], ys[1]
}

// Convolve returns the first len(x) samples of x * h for each h of hs,
// computed by FFT (length the power of two ≥ len(x) + max len(h) − 1) with
// one transform of x.
func Convolve(x []float32, hs ...[]float32) [][]float32 {
	m := 0
	for _, h := range hs {
		m = max(m, len(h))
	}
	return circular(x, pow2(len(x)+m-1), hs...)
}

// pow2 is the smallest power of two ≥ n.
func pow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// circular returns the first len(x) samples of the n-point circular
// convolution of x and each h of hs (zero-padded to n ≥ len(x), len(h)):
// y[i] = Σ_k h[k] x[(i − k) mod n]. Where n ≥ len(x) + len(h) − 1 that is the
// linear convolution; otherwise y[i] still equals it for i ≥ len(h) − 1.
func circular(x []float32, n int, hs ...[]float32) [][]float32 {
	fft := fourier.NewFFT(n)
	a := make([]float64, n)
	for i, v := range x {
		a[i] = float64(v)
	}
	X := fft.Coefficients(nil, a)
	Y := make([]complex128, len(X))
	ys := make([][]float32, len(hs))
	for j, h := range hs {
		clear(a)
		for i, v := range h {
			a[i] = float64(v)
		}
		fft.Coefficients(Y, a)
		for i := range Y {
			Y[i] *= X[i]
		}
		fft.Sequence(a, Y)
		y := make([]float32, len(x))
		for i := range y {
			y[i] = float32(a[i] / float64(n))
		}
		ys[j] = y
	}
	return ys
}

func power(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s / float64(max(len(x), 1))
}

func peak(x []float32) float64 {
	var p float32
	for _, v := range x {
		p = max(p, v, -v)
	}
	return float64(p)
}

func scale(x []float32, g float64) {
	for i := range x {
		x[i] = float32(float64(x[i]) * g)
	}
}
