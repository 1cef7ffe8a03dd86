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
		if s, w := float64(Sigmoid32(float32(x))), 1/(1+math.Exp(-float64(float32(x)))); math.Abs(s-w) > 1e-7 {
			t.Fatalf("Sigmoid32(%v) = %v, want %v", x, s, w)
		}
		if th, w := float64(Tanh32(float32(x))), math.Tanh(float64(float32(x))); math.Abs(th-w) > 2e-7 {
			t.Fatalf("Tanh32(%v) = %v, want %v", x, th, w)
		}
	}
	for x := 1e-30; x < 1e30; x *= 1.37 {
		if l, w := Log(x), math.Log(x); math.Abs(l-w) > 1e-9 {
			t.Fatalf("Log(%v) = %v, want %v", x, l, w)
		}
	}
}

func BenchmarkTanh32(b *testing.B) {
	var s float32
	for i := 0; i < b.N; i++ {
		s += Tanh32(float32(i%100) * 0.01)
	}
	_ = s
}
