package train

import (
	"math"
	"testing"
)

func TestFastMath(t *testing.T) {
	for _, x := range []float64{-80, -30, -5.5, -1, -0.3466, -1e-9, 0, 1e-7, 0.3466, 1, 2.2, 10, 40, 79} {
		if got, want := expFast(x), math.Exp(x); math.Abs(got-want) > 1e-8*want {
			t.Errorf("expFast(%g) = %g, want %g", x, got, want)
		}
	}
	for _, x := range []float64{1e-30, 1e-5, 0.0316, 0.5, 0.7071, 0.99999, 1, 1.4142, 1.5, 3, 1e6} {
		if got, want := logFast(x), math.Log(x); math.Abs(got-want) > 1e-9 {
			t.Errorf("logFast(%g) = %g, want %g", x, got, want)
		}
	}
}
