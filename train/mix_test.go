package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// toneFreq estimates the frequency of a sine from its zero crossings.
func toneFreq(x []float32) float64 {
	n := 0
	for i := 1; i < len(x); i++ {
		if (x[i-1] < 0) != (x[i] < 0) {
			n++
		}
	}
	return float64(n) / 2 / (float64(len(x)) / SampleRate)
}

// TestPickNoise: resampling moves a 1 kHz tone into 0.7 … 1.4 kHz; without
// it the tone stays put.
func TestPickNoise(t *testing.T) {
	tone := make([]float32, 5*SampleRate)
	for i := range tone {
		tone[i] = float32(math.Sin(2 * math.Pi * 1000 * float64(i) / SampleRate))
	}
	clips := []Clip{{Group: "tone", Samples: tone}}
	for _, tc := range []struct {
		name   string
		prob   float64
		lo, hi float64 // range of the frequency
		moved  bool    // some draw away from 1 kHz
	}{
		{"off", 0, 995, 1005, false},
		{"always", 1, 695, 1405, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			moved := false
			for i := 0; i < 20; i++ {
				x := pickNoise(rng, MixConfig{NoiseSpeedProb: tc.prob}, clips, SampleRate)
				if len(x) != SampleRate {
					t.Fatalf("%d samples, want %d", len(x), SampleRate)
				}
				f := toneFreq(x)
				if f < tc.lo || f > tc.hi {
					t.Errorf("tone at %.0f Hz, want %g … %g", f, tc.lo, tc.hi)
				}
				moved = moved || math.Abs(f-1000) > 20
			}
			if moved != tc.moved {
				t.Errorf("moved = %v, want %v", moved, tc.moved)
			}
		})
	}
}

// TestMixtureSecondNoise: with NoiseMixProb = 1 a noise-only mixture of two
// tone recordings holds both tones.
func TestMixtureSecondNoise(t *testing.T) {
	mk := func(f float64) Clip {
		x := make([]float32, 2*SampleRate)
		for i := range x {
			x[i] = float32(math.Sin(2 * math.Pi * f * float64(i) / SampleRate))
		}
		return Clip{Samples: x}
	}
	noise := []Clip{mk(500), mk(3000)}
	speech := []Clip{{Samples: make([]float32, SampleRate)}}
	cfg := MixConfig{NoiseOnly: 1, NoiseMixProb: 1, LevelMin: -20, LevelMax: -20}
	both := 0
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20; i++ {
		x, _ := Mixture(rng, cfg, speech, noise, nil, SampleRate)
		// Goertzel-style correlation at each tone.
		amp := func(f float64) float64 {
			var re, im float64
			for j, v := range x {
				w := 2 * math.Pi * f * float64(j) / SampleRate
				re += float64(v) * math.Cos(w)
				im += float64(v) * math.Sin(w)
			}
			return math.Hypot(re, im) / float64(len(x))
		}
		if a, b := amp(500), amp(3000); a > 1e-3 && b > 1e-3 {
			both++
		}
	}
	// Each mixture draws two recordings of two: half the time they differ.
	if both < 4 || both > 16 {
		t.Errorf("%d of 20 mixtures hold both tones, want about 10", both)
	}
}

// TestTriangular: the inverse CDF stays in range, puts the mode where asked
// (the densest of five bins) and has the triangular mean (a + b + c)/3.
func TestTriangular(t *testing.T) {
	for _, tc := range []struct{ a, c, b float64 }{{-5, 5, 20}, {-5, -5, 20}, {0, 10, 10}} {
		const n = 100000
		var sum float64
		bins := make([]int, 5)
		for i := 0; i < n; i++ {
			x := triangular((float64(i)+0.5)/n, tc.a, tc.c, tc.b)
			if x < tc.a || x > tc.b {
				t.Fatalf("%+v: %v out of range", tc, x)
			}
			sum += x
			bins[min(int((x-tc.a)/(tc.b-tc.a)*5), 4)]++
		}
		if m, want := sum/n, (tc.a+tc.b+tc.c)/3; math.Abs(m-want) > 0.01 {
			t.Errorf("%+v: mean %.3f, want %.3f", tc, m, want)
		}
		best := 0
		for i, c := range bins {
			if c > bins[best] {
				best = i
			}
		}
		if want := min(int((tc.c-tc.a)/(tc.b-tc.a)*5), 4); best != want {
			t.Errorf("%+v: densest fifth %d %v, want %d", tc, best, bins, want)
		}
	}
}
