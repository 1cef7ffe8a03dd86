package fastmath

import (
	"math"
	"testing"
)

func TestAccuracy(t *testing.T) {
	for x := -80.0; x <= 80; x += 0.01237 {
		if e, w := Exp(x), math.Exp(x); math.Abs(e-w) > 1e-8*w {
			t.Fatalf("Exp(%v) = %v, want %v", x, e, w)
		}
	}
	for x := 1e-30; x < 1e30; x *= 1.37 {
		if l, w := Log(x), math.Log(x); math.Abs(l-w) > 1e-9 {
			t.Fatalf("Log(%v) = %v, want %v", x, l, w)
		}
	}
}

// TestExpAct checks the activations' exponential kernel against math.Exp
// over its whole clamped range, for both scales the activations use.
func TestExpAct(t *testing.T) {
	for _, s := range []float64{-1, 2} {
		worst := 0.0
		for v := -actClamp; v <= actClamp; v += 0.000731 {
			x := v / s
			e, w := expAct(x, s), math.Exp(s*x)
			worst = max(worst, math.Abs(e-w)/w)
		}
		if worst > 6e-10 {
			t.Errorf("scale %v: relative error %.3g, want ≤ 6e-10", s, worst)
		}
		t.Logf("scale %v: relative error %.3g", s, worst)
	}
}

// activations lists each activation with its float64 truth and error bound.
var activations = []struct {
	name  string
	f     func(float32) float32
	vec   func(dst, src []float32)
	truth func(float64) float64
	bound float64 // absolute
}{
	{"sigmoid", Sigmoid32, SigmoidVec, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 4e-8},
	{"tanh", Tanh32, TanhVec, math.Tanh, 4e-8},
}

// TestActivations checks Sigmoid32 and Tanh32 against float64 math on a fine
// grid (saturation included), and that the vector forms give the same bits.
func TestActivations(t *testing.T) {
	var xs []float32
	for x := -100.0; x <= 100; x += 0.001237 {
		xs = append(xs, float32(x))
	}
	xs = append(xs, 0, -0, 1e-30, -1e-30, math.MaxFloat32, -math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)))
	for _, a := range activations {
		t.Run(a.name, func(t *testing.T) {
			got := make([]float32, len(xs))
			a.vec(got, xs)
			worst := 0.0
			for i, x := range xs {
				y := a.f(x)
				if math.Float32bits(y) != math.Float32bits(got[i]) {
					t.Fatalf("%s(%v): scalar %v, vector %v", a.name, x, y, got[i])
				}
				d := math.Abs(float64(y) - a.truth(float64(x)))
				if !(d <= a.bound) {
					t.Fatalf("%s(%v) = %v, want %v", a.name, x, y, a.truth(float64(x)))
				}
				worst = max(worst, d)
			}
			t.Logf("largest error %.3g (bound %.0g)", worst, a.bound)
			in := []float32{-1, 0, 1}
			a.vec(in, in) // in place
			for i, x := range []float32{-1, 0, 1} {
				if in[i] != a.f(x) {
					t.Errorf("in place: %s(%v) = %v, want %v", a.name, x, in[i], a.f(x))
				}
			}
			if y := a.f(float32(math.NaN())); y == y {
				t.Errorf("%s(NaN) = %v, want NaN", a.name, y)
			}
			nan := []float32{1, float32(math.NaN()), -2, 3, float32(math.NaN())} // the vector kernel and the tail
			a.vec(nan, nan)
			if nan[1] == nan[1] || nan[4] == nan[4] || nan[0] != a.f(1) || nan[3] != a.f(3) {
				t.Errorf("vector %s of 1, NaN, −2, 3, NaN = %v", a.name, nan)
			}
		})
	}
}

// benchInput is 800 pre-activations, about what one frame of the default
// model evaluates, spread over the range the network produces.
func benchInput() []float32 {
	x := make([]float32, 800)
	for i := range x {
		x[i] = float32(i%200-100) * 0.05
	}
	return x
}

func BenchmarkTanh32(b *testing.B) {
	var s float32
	for i := 0; i < b.N; i++ {
		s += Tanh32(float32(i%100) * 0.01)
	}
	_ = s
}

// BenchmarkSigmoid800 calls the scalar Sigmoid32 800 times per op.
func BenchmarkSigmoid800(b *testing.B) {
	x, y := benchInput(), make([]float32, 800)
	for i := 0; i < b.N; i++ {
		for j, v := range x {
			y[j] = Sigmoid32(v)
		}
	}
}

// BenchmarkSigmoidVec800 is BenchmarkSigmoid800 through SigmoidVec.
func BenchmarkSigmoidVec800(b *testing.B) {
	x, y := benchInput(), make([]float32, 800)
	for i := 0; i < b.N; i++ {
		SigmoidVec(y, x)
	}
}

// BenchmarkTanhVec800 is 800 tanh through TanhVec.
func BenchmarkTanhVec800(b *testing.B) {
	x, y := benchInput(), make([]float32, 800)
	for i := 0; i < b.N; i++ {
		TanhVec(y, x)
	}
}

// TestLogVec: LogVec equals Log bit for bit (the AVX2 kernel where the CPU
// has it, and the Go tail), over 1e-12 … 1e6 and odd lengths.
func TestLogVec(t *testing.T) {
	src := make([]float64, 1003)
	for i := range src {
		src[i] = math.Pow(10, -12+18*float64(i)/float64(len(src)-1))
	}
	src[5], src[6], src[7] = math.Sqrt2, math.Nextafter(math.Sqrt2, 2), 1
	dst := make([]float64, len(src))
	for _, n := range []int{0, 1, 4, 7, len(src)} {
		LogVec(dst[:n], src[:n])
		for i := 0; i < n; i++ {
			if dst[i] != Log(src[i]) {
				t.Fatalf("n=%d: LogVec(%v) = %v, Log %v", n, src[i], dst[i], Log(src[i]))
			}
		}
	}
}
