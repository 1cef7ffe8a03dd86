package live

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMLSIsMaximal(t *testing.T) {
	for order := range mlsMasks {
		x := MLS(order, 1)
		n := 1<<order - 1
		if len(x) != n {
			t.Fatalf("order %d: %d samples, want %d", order, len(x), n)
		}
		// A maximal sequence has 2^(order-1) ones and a two-valued circular
		// autocorrelation: n at lag 0, −1 elsewhere.
		ones := 0
		for _, v := range x {
			if v > 0 {
				ones++
			}
		}
		if ones != 1<<(order-1) {
			t.Errorf("order %d: %d ones, want %d", order, ones, 1<<(order-1))
		}
		if order > 12 {
			continue
		}
		for lag := 1; lag < n; lag += 97 {
			var s float32
			for i := range x {
				s += x[i] * x[(i+lag)%n]
			}
			if s != -1 {
				t.Fatalf("order %d: autocorrelation at lag %d is %v, want -1", order, lag, s)
			}
		}
	}
}

func TestCorrelate(t *testing.T) {
	probe := MLS(13, 0.1)
	r := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct {
		name      string
		delay     int
		gain      float64
		noise     float64
		wantFound bool
	}{
		{"clean", 1234, 1, 0, true},
		{"zero delay", 0, 0.5, 0, true},
		{"inverted", 300, -0.8, 0, true},
		{"noisy", 4000, 0.3, 0.05, true},
		{"no loop", -1, 0, 0.05, false},
		{"silence", -1, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			maxLag := 24000
			x := make([]float32, len(probe)+maxLag)
			for i := range x {
				x[i] = float32(tc.noise * (r.Float64()*2 - 1))
			}
			if tc.delay >= 0 {
				for i, v := range probe {
					x[tc.delay+i] += float32(tc.gain) * v
				}
			}
			c := Correlate(x, probe, maxLag, 48000)
			found := math.Abs(c.Coeff) >= 0.3
			if found != tc.wantFound {
				t.Fatalf("coefficient %v: found %v, want %v", c.Coeff, found, tc.wantFound)
			}
			if !found {
				return
			}
			if c.IntegerLag != tc.delay || math.Abs(c.Lag-float64(tc.delay)) > 0.5 {
				t.Errorf("lag %d (%.2f), want %d", c.IntegerLag, c.Lag, tc.delay)
			}
			if tc.noise == 0 && math.Abs(math.Abs(c.Coeff)-1) > 1e-6 {
				t.Errorf("coefficient %v, want ±1 for an exact copy", c.Coeff)
			}
			if c.PeakRatio < 5 {
				t.Errorf("peak ratio %v, want a clear peak", c.PeakRatio)
			}
		})
	}
}

// TestImpulseDelay: the impulse comes out of a processor that delays by lat
// frames in blocks of quantum exactly lat frames later, at any rate and
// channel count.
func TestImpulseDelay(t *testing.T) {
	for _, tc := range []struct{ rate, ch, lat, quantum int }{
		{16000, 1, 320, 160},
		{48000, 2, 960, 480},
		{44100, 1, 1000, 7},
	} {
		r := ImpulseDelay(newDelayProc(tc.ch, tc.lat, tc.quantum), tc.ch, tc.rate)
		if r.DelayFrames != tc.lat || !r.OK() || r.Peak != 1 {
			t.Errorf("%+v: %+v, want the impulse %d frames later", tc, r, tc.lat)
		}
	}
}
