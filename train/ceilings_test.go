package train

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/ghostrnn/ghostrnn/metrics"
)

// TestOraclesOnKnownSignals checks each oracle where its answer is known:
// with clean = noisy every one returns the input (to the STFT's exactness),
// and on a mixture the per-bin kinds beat the noisy input and the complex
// mask (unbounded here, since |S/X| ≤ 1.5 almost everywhere at +10 dB) comes
// within rounding of the clean speech where |S/X| ≤ 1.5.
func TestOraclesOnKnownSignals(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 16000
	s := make([]float32, n)
	nz := make([]float32, n)
	for i := range s {
		s[i] = float32(0.3*math.Sin(2*math.Pi*220*float64(i)/16000)*(1+0.5*math.Sin(2*math.Pi*3*float64(i)/16000))) + float32(0.01*rng.NormFloat64())
		nz[i] = float32(0.05 * rng.NormFloat64())
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = s[i] + nz[i]
	}
	in := metrics.SISDR(s, x)
	for _, o := range Oracles() {
		if same := metrics.SISDR(s, ApplyOracle(o, s, s)); same < 100 {
			t.Errorf("%s with clean input: SI-SDR %.1f dB, want ≥ 100 (identity)", o.Name, same)
		}
		got := metrics.SISDR(s, ApplyOracle(o, x, s))
		switch o.Name {
		case "noisy input (gain 1)":
			if math.Abs(got-in) > 0.01 {
				t.Errorf("%s: %.2f dB, want the input's %.2f", o.Name, got, in)
			}
		case "ideal complex ratio mask, |M| ≤ 1.5":
			if got < 40 {
				t.Errorf("%s: %.2f dB, want ≥ 40", o.Name, got)
			}
		default:
			if got < in+3 {
				t.Errorf("%s: %.2f dB, want ≥ input %.2f + 3", o.Name, got, in)
			}
		}
	}
}

// TestSolveHermitian checks the deep filter's solver on a system worked
// out by multiplication: A c = b for a known c.
func TestSolveHermitian(t *testing.T) {
	a := []complex128{4, 1 + 1i, 0.5, 1 - 1i, 3, 2i, 0.5, -2i, 5}
	want := []complex128{1 + 2i, -1, 0.5 - 0.5i}
	b := make([]complex128, 3)
	for i := range b {
		for j := range want {
			b[i] += a[i*3+j] * want[j]
		}
	}
	got := make([]complex128, 3)
	solveHermitian(append([]complex128(nil), a...), b, got)
	for i := range got {
		if cmplx.Abs(got[i]-want[i]) > 1e-6 {
			t.Errorf("c[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestDeepFilterOracleIdentity: with clean = noisy the oracle deep filter
// returns the input (C = (1, 0, 0) fits exactly).
func TestDeepFilterOracleIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 8000)
	for i := range x {
		x[i] = float32(0.1 * rng.NormFloat64())
	}
	if got := metrics.SISDR(x, ApplyDeepFilterOracle(x, x, false, 0)); got < 60 {
		t.Errorf("identity: SI-SDR %.1f dB, want ≥ 60", got)
	}
}
