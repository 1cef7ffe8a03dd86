package metrics

import (
	"errors"
	"math"
	"testing"
)

// TestSpeechLSDGains checks SpeechLSD on a white-noise reference, where
// every bin of every frame lies far above the floor: the identity and
// polarity give 0, a gain g gives |20 log10 g|, and the over-suppressed
// share is 1 exactly when the gain is below −6 dB.
func TestSpeechLSDGains(t *testing.T) {
	const fs = 16000
	x := scale(whiteNoise(fs, 31), 0.1)
	db := func(g float64) float64 { return math.Pow(10, g/20) }
	for _, tc := range []struct {
		name     string
		deg      []float64
		lsd, sup float64
	}{
		{"identical", x, 0, 0},
		{"inverted", scale(x, -1), 0, 0},
		{"+6 dB", scale(x, db(6)), 6, 0},
		{"−5 dB", scale(x, db(-5)), 5, 0},
		{"−7 dB", scale(x, db(-7)), 7, 1},
		{"silent", make([]float64, len(x)), 60, 1}, // bounded by the floor, well over 40 dB
	} {
		r, err := SpeechLSD(x, tc.deg, fs)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		tol := 0.01
		if tc.name == "silent" {
			tol = 20 // the floor, not the signal, sets it
		}
		if math.Abs(r.LSD-tc.lsd) > tol || r.Suppressed != tc.sup || r.LostEnergy != tc.sup {
			t.Errorf("%s: LSD %.4f dB, suppressed %.4f of the bins, %.4f of the energy; want %.4f, %g, %g", tc.name, r.LSD, r.Suppressed, r.LostEnergy, tc.lsd, tc.sup, tc.sup)
		}
		if want := (fs-320)/160 + 1; r.Frames != want {
			t.Errorf("%s: %d speech frames, want all %d", tc.name, r.Frames, want)
		}
	}
}

// TestSpeechLSDLostEnergy: the 2-tap average (x[n] + x[n−1])/2 has the
// gain |cos(πf/fs)|, more than 6 dB down above fs/3, so it over-suppresses
// the top third of the bins; of a low-pass reference (AR(1), pole 0.95)
// they hold little of the energy, of a white one a third.
func TestSpeechLSDLostEnergy(t *testing.T) {
	const fs = 16000
	w := whiteNoise(fs, 51)
	for _, tc := range []struct {
		pole           float64
		loLost, hiLost float64
	}{{0.95, 0, 0.02}, {0, 0.30, 0.37}} {
		x := make([]float64, len(w))
		var v float64
		for i := range x {
			v = tc.pole*v + 0.01*w[i]
			x[i] = v
		}
		y := make([]float64, len(x))
		for i := 1; i < len(x); i++ {
			y[i] = (x[i] + x[i-1]) / 2
		}
		r, err := SpeechLSD(x, y, fs)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("pole %g: %+v", tc.pole, r)
		if r.Suppressed < 0.30 || r.Suppressed > 0.37 || r.LostEnergy < tc.loLost || r.LostEnergy > tc.hiLost {
			t.Errorf("pole %g: suppressed %.4f of the bins, %.4f of the energy; want 0.30…0.37 and %g…%g", tc.pole, r.Suppressed, r.LostEnergy, tc.loLost, tc.hiLost)
		}
	}
}

// TestSpeechLSDIgnoresPauses: a reference whose second half is 50 dB below
// the first has only the first half's frames as speech, so replacing the
// quiet half of deg by loud noise leaves the LSD at 0; the same at 30 dB
// below (inside the 40 dB range) is counted and raises it.
func TestSpeechLSDIgnoresPauses(t *testing.T) {
	const fs, half = 16000, 8000
	for _, tc := range []struct {
		quietDB float64
		zero    bool
	}{{-50, true}, {-30, false}} {
		x := scale(whiteNoise(2*half, 41), 0.1)
		for i := half; i < len(x); i++ {
			x[i] *= math.Pow(10, tc.quietDB/20)
		}
		deg := append([]float64{}, x...)
		other := whiteNoise(len(x), 42)
		for i := half + 320; i < len(x); i++ { // frames wholly in the quiet half
			deg[i] = 0.1 * other[i]
		}
		r, err := SpeechLSD(x, deg, fs)
		if err != nil {
			t.Fatal(err)
		}
		all := (len(x)-320)/160 + 1
		if tc.zero && (r.LSD > 1e-9 || r.Suppressed != 0 || r.Frames >= all) {
			t.Errorf("quiet half at %g dB: LSD %g, suppressed %g over %d of %d frames; want 0, 0 over the loud half only", tc.quietDB, r.LSD, r.Suppressed, r.Frames, all)
		}
		if !tc.zero && (r.LSD < 5 || r.Frames != all) {
			t.Errorf("quiet half at %g dB: LSD %g over %d of %d frames; want the quiet frames counted (LSD > 5)", tc.quietDB, r.LSD, r.Frames, all)
		}
	}
}

// TestSpeechLSDErrors: signals of different lengths, shorter than a frame,
// a silent reference and a bad rate are errors, not numbers.
func TestSpeechLSDErrors(t *testing.T) {
	x := speechLike(1, 16000, 5)
	if _, err := SpeechLSD(x, x[:len(x)-1], 16000); err == nil {
		t.Error("a length mismatch gave no error")
	}
	if _, err := SpeechLSD(x[:319], x[:319], 16000); !errors.Is(err, ErrTooShort) {
		t.Errorf("319 samples at 16 kHz: %v, want ErrTooShort", err)
	}
	if _, err := SpeechLSD(make([]float64, len(x)), x, 16000); err == nil {
		t.Error("a silent reference gave no error")
	}
	if _, err := SpeechLSD(x, x, 0); err == nil {
		t.Error("fs 0 gave no error")
	}
	if r, err := SpeechLSD(x, x, 16000); err != nil || r.LSD != 0 || r.Frames == 0 {
		t.Errorf("speech-like identity: %+v, %v", r, err)
	}
}
