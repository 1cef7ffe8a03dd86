package kaiser

import (
	"math"
	"testing"
)

func TestI0AndSinc(t *testing.T) {
	// Reference values of I0 (Abramowitz & Stegun, table 9.8 via exp(x)·I0 scaled).
	for _, tc := range []struct{ x, want float64 }{
		{0, 1}, {1, 1.2660658777520082}, {5, 27.239871823604442}, {10, 2815.716628466254},
	} {
		if got := I0(tc.x); math.Abs(got-tc.want) > 1e-12*tc.want {
			t.Errorf("I0(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
	if Sinc(0) != 1 || math.Abs(Sinc(0.5)-2/math.Pi) > 1e-15 || math.Abs(Sinc(3)) > 1e-15 {
		t.Errorf("Sinc: %v %v %v", Sinc(0), Sinc(0.5), Sinc(3))
	}
}
