package metrics

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// speechLike returns a deterministic speech-like test signal: a harmonic
// voice with a wandering pitch and noise bursts, amplitude-modulated at a
// syllabic rate, with short pauses, peak about 0.5.
func speechLike(seconds float64, fs int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := int(seconds * float64(fs))
	x := make([]float64, n)
	phase := 0.0
	for i := range x {
		t := float64(i) / float64(fs)
		f0 := 120 + 30*math.Sin(2*math.Pi*0.7*t)
		phase += 2 * math.Pi * f0 / float64(fs)
		var v float64
		for h := 1; h <= 20; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		env := math.Max(0, math.Sin(2*math.Pi*3.1*t)) // syllables with pauses
		fric := 0.0
		if math.Sin(2*math.Pi*1.3*t) > 0.8 {
			fric = 0.3 * rng.NormFloat64()
		}
		x[i] = 0.2 * env * (v + fric)
	}
	return x
}

func whiteNoise(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 2))
	w := make([]float64, n)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	return w
}

func energy(x []float64) float64 {
	var e float64
	for _, v := range x {
		e += v * v
	}
	return e
}

// addAtSNR returns x + g*noise with g chosen so that sum x^2 / sum (g noise)^2
// is exactly snrDB.
func addAtSNR(x, noise []float64, snrDB float64) []float64 {
	g := math.Sqrt(energy(x) / energy(noise) / math.Pow(10, snrDB/10))
	y := make([]float64, len(x))
	for i := range y {
		y[i] = x[i] + g*noise[i]
	}
	return y
}

func scale(x []float64, g float64) []float64 {
	y := make([]float64, len(x))
	for i := range y {
		y[i] = g * x[i]
	}
	return y
}

func TestMetricsGenerated(t *testing.T) {
	const fs = 16000
	x := speechLike(4, fs, 1)
	noise := whiteNoise(len(x), 7)
	tests := []struct {
		name     string
		deg      []float64
		minSTOI  float64 // STOI at least
		maxSTOI  float64 // STOI at most
		minESTOI float64 // ESTOI at least
		minSISDR float64 // SI-SDR at least (dB); 0: SI-SDR must equal wantSNR
		wantSNR  float64 // expected SNR in dB ± 0.1 (NaN: not checked)
	}{
		{"identical", x, 0.99999, 1, 0.99999, 150, math.NaN()},
		{"gain 0.3", scale(x, 0.3), 0.99999, 1, 0.99999, 150, 20 * math.Log10(1/0.7)},
		{"gain 0.9", scale(x, 0.9), 0.99999, 1, 0.99999, 150, 20},
		{"white -5 dB", addAtSNR(x, noise, -5), 0.6, 0.8, 0.1, 0, -5},
		{"white 0 dB", addAtSNR(x, noise, 0), 0.7, 0.9, 0.2, 0, 0},
		{"white 5 dB", addAtSNR(x, noise, 5), 0.8, 0.95, 0.4, 0, 5},
		{"white 10 dB", addAtSNR(x, noise, 10), 0.9, 0.98, 0.6, 0, 10},
		{"white 20 dB", addAtSNR(x, noise, 20), 0.95, 1, 0.8, 0, 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stoi, err := STOI(x, tc.deg, fs)
			if err != nil {
				t.Fatal(err)
			}
			estoi, err := ESTOI(x, tc.deg, fs)
			if err != nil {
				t.Fatal(err)
			}
			if stoi < tc.minSTOI || stoi > tc.maxSTOI+1e-9 {
				t.Errorf("STOI %.6f, want in [%g, %g]", stoi, tc.minSTOI, tc.maxSTOI)
			}
			if estoi < tc.minESTOI || estoi > 1+1e-9 {
				t.Errorf("ESTOI %.6f, want in [%g, 1]", estoi, tc.minESTOI)
			}
			sdr, snr := SISDR(x, tc.deg), SNR(x, tc.deg)
			if tc.minSISDR > 0 {
				if !(sdr >= tc.minSISDR) {
					t.Errorf("SI-SDR %.2f dB, want >= %g", sdr, tc.minSISDR)
				}
			} else if math.Abs(sdr-tc.wantSNR) > 0.1 {
				t.Errorf("SI-SDR %.4f dB, want %g ± 0.1", sdr, tc.wantSNR)
			}
			if !math.IsNaN(tc.wantSNR) && math.Abs(snr-tc.wantSNR) > 0.1 {
				t.Errorf("SNR %.4f dB, want %g ± 0.1", snr, tc.wantSNR)
			}
			if tc.name == "identical" {
				if lsd := LSD(x, tc.deg, fs); lsd != 0 {
					t.Errorf("LSD of identical signals %g, want 0", lsd)
				}
				if seg := SegSNR(x, tc.deg, fs); seg != SegSNRMax {
					t.Errorf("SegSNR of identical signals %g, want %g", seg, SegSNRMax)
				}
			}
			t.Logf("STOI %.4f ESTOI %.4f SI-SDR %.3f SNR %.3f", stoi, estoi, sdr, snr)
		})
	}
}

// TestSegSNRAndLSD uses a white-noise reference, so that every frame and
// every frequency bin is active and the expected values are exact.
func TestSegSNRAndLSD(t *testing.T) {
	const fs = 16000
	x := whiteNoise(fs, 21)
	for i := range x {
		x[i] *= 0.1
	}
	tests := []struct {
		name             string
		deg              []float64
		wantSeg, wantLSD float64
	}{
		{"identical", x, SegSNRMax, 0},
		{"gain 0.9", scale(x, 0.9), 20, 20 * math.Log10(1/0.9)},
		{"gain 0.5", scale(x, 0.5), 20 * math.Log10(1/0.5), 20 * math.Log10(1/0.5)},
		{"gain 2", scale(x, 2), 0, 20 * math.Log10(2)},
		{"inverted", scale(x, -1), 20 * math.Log10(0.5), 0},
		{"gain 1e-2", scale(x, 1e-2), 20 * math.Log10(1/0.99), 40},
		{"gain 1.00001", scale(x, 1.00001), SegSNRMax, 20 * math.Log10(1.00001)},
		{"silent", make([]float64, len(x)), 0, math.NaN()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SegSNR(x, tc.deg, fs); math.Abs(got-tc.wantSeg) > 1e-6 {
				t.Errorf("SegSNR %.6f dB, want %.6f", got, tc.wantSeg)
			}
			if got := LSD(x, tc.deg, fs); !math.IsNaN(tc.wantLSD) && math.Abs(got-tc.wantLSD) > 0.01 {
				t.Errorf("LSD %.6f dB, want %.6f", got, tc.wantLSD)
			}
		})
	}
	noisy := addAtSNR(x, whiteNoise(len(x), 22), 40)
	if got := SegSNR(x, scale(x, 0.999999), fs); got != SegSNRMax {
		t.Errorf("SegSNR of a 0.999999 gain %g, want clamped to %g", got, SegSNRMax)
	}
	if got := SegSNR(x, scale(noisy, 30), fs); got != SegSNRMin {
		t.Errorf("SegSNR of a loud mismatch %g, want clamped to %g", got, SegSNRMin)
	}
}

func TestMetricsMonotonicInSNR(t *testing.T) {
	const fs = 16000
	x := speechLike(3, fs, 3)
	noise := whiteNoise(len(x), 4)
	prev := -1.0
	for _, snr := range []float64{-10, -5, 0, 5, 10, 20, 30} {
		d, err := ESTOI(x, addAtSNR(x, noise, snr), fs)
		if err != nil {
			t.Fatal(err)
		}
		if d <= prev {
			t.Errorf("ESTOI at %g dB = %.4f, not above %.4f", snr, d, prev)
		}
		prev = d
	}
}

func TestSISDRScaleInvariantAndZeroMean(t *testing.T) {
	x := speechLike(1, 16000, 5)
	y := addAtSNR(x, whiteNoise(len(x), 6), 3)
	base := SISDR(x, y)
	shifted := make([]float64, len(y))
	for i := range y {
		shifted[i] = -2.5*y[i] + 0.1 // gain (including sign) and DC offset
	}
	// A negative gain flips the projection sign, not its energy ratio.
	if got := SISDR(x, shifted); math.Abs(got-base) > 1e-9 {
		t.Errorf("SI-SDR after gain/offset %.12f, want %.12f", got, base)
	}
	if got := SISDR(x, make([]float64, len(x))); !math.IsInf(got, -1) {
		t.Errorf("SI-SDR of silence = %v, want -Inf", got)
	}
	if got := SNR(x, x); !math.IsInf(got, 1) {
		t.Errorf("SNR of identical = %v, want +Inf", got)
	}
}

func TestResample(t *testing.T) {
	tests := []struct{ from, to int }{{16000, 10000}, {44100, 16000}, {8000, 16000}, {48000, 16000}, {16000, 16000}}
	for _, tc := range tests {
		const f0 = 440.0
		n := tc.from / 2 // 0.5 s
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(0.5 * math.Sin(2*math.Pi*f0*float64(i)/float64(tc.from)))
		}
		y, err := Resample(x, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if want := (n*tc.to + tc.from - 1) / tc.from; len(y) != want {
			t.Errorf("%d->%d: %d samples, want %d", tc.from, tc.to, len(y), want)
		}
		var maxErr float64
		for m := len(y) / 10; m < len(y)*9/10; m++ { // away from the zero-padded edges
			want := 0.5 * math.Sin(2*math.Pi*f0*float64(m)/float64(tc.to))
			maxErr = math.Max(maxErr, math.Abs(y[m]-want))
		}
		if maxErr > 2e-3 {
			t.Errorf("%d->%d: max error %.2g on a 440 Hz sine", tc.from, tc.to, maxErr)
		}
	}
	if _, err := Resample([]float64{1}, 16000, 16001); err == nil {
		t.Error("16000->16001 should be refused")
	}
}

func TestAlign(t *testing.T) {
	const fs = 16000
	x := speechLike(2, fs, 9)
	noise := whiteNoise(len(x)+400, 10)
	for _, lag := range []int{0, 160, -37, 1, 3000} {
		// deg[n+lag] = ref[n] + noise
		deg := make([]float64, len(x)+200)
		for i := range deg {
			if j := i - lag; j >= 0 && j < len(x) {
				deg[i] = x[j]
			}
			deg[i] += 0.01 * noise[i]
		}
		r, d, got := Align(x, deg, fs)
		if got != lag {
			t.Errorf("lag %d: Align found %d", lag, got)
			continue
		}
		if len(r) != len(d) || len(r) == 0 {
			t.Fatalf("lag %d: lengths %d, %d", lag, len(r), len(d))
		}
		if sdr := SISDR(r, d); sdr < 15 {
			t.Errorf("lag %d: SI-SDR after alignment %.2f dB", lag, sdr)
		}
	}
	if _, _, got := Align(x, x, 100); got != 0 {
		t.Errorf("identical: lag %d", got)
	}
	// The lag bound is respected.
	late := append(make([]float64, 500), x...)
	if _, _, got := Align(x, late, 100); got == 500 {
		t.Errorf("maxLag 100 found lag 500")
	}
}

func TestCompute(t *testing.T) {
	const fs = 16000
	x64 := speechLike(2, fs, 11)
	y64 := addAtSNR(x64, whiteNoise(len(x64), 12), 10)
	x, y := make([]float32, len(x64)), make([]float32, len(y64)+500)
	for i := range x64 {
		x[i], y[i] = float32(x64[i]), float32(y64[i])
	}
	s, err := Compute(x, y, fs) // y is longer: trimmed
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.SNR-10) > 0.01 || math.Abs(s.SISDR-10) > 0.2 || s.STOI < 0.8 || s.ESTOI < 0.5 || s.LSD <= 0 {
		t.Errorf("unexpected scores %+v", s)
	}
	same, err := Compute(x, x, fs)
	if err != nil {
		t.Fatal(err)
	}
	if same.SISDR != MaxDB || same.SNR != MaxDB || same.LSD != 0 || same.SegSNR != SegSNRMax {
		t.Errorf("identical: %+v", same)
	}
	b, err := json.Marshal(same)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]float64
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"stoi", "estoi", "si_sdr", "snr", "seg_snr", "lsd"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON %s lacks key %q", b, k)
		}
	}

	errTests := []struct {
		name     string
		ref, deg []float32
		fs       int
		want     error
	}{
		{"silent reference", make([]float32, fs), x, fs, ErrSilentReference},
		{"too short", x[:100], y[:100], fs, ErrTooShort},
		{"too short for STOI", x[:fs/5], y[:fs/5], fs, ErrTooShort},
		{"empty", nil, y, fs, ErrTooShort},
		{"bad rate", x, y, 0, nil},
	}
	for _, tc := range errTests {
		_, err := Compute(tc.ref, tc.deg, tc.fs)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestDelayMatchesBruteForce checks the block-wise FFT correlation against a
// direct evaluation of c[k] = sum_n ref[n] deg[n+k], over several blocks and
// unequal lengths.
func TestDelayMatchesBruteForce(t *testing.T) {
	tests := []struct{ nr, nd, maxLag, shift int }{
		{5000, 5000, 50, 17}, {5000, 3000, 80, -33}, {2000, 7000, 300, 250},
		{700, 900, 0, 120}, {4000, 4100, 10, 40}, // true shift beyond maxLag
	}
	for _, tc := range tests {
		base := whiteNoise(max(tc.nr, tc.nd)+abs(tc.shift), uint64(tc.nr+tc.nd))
		ref := base[:tc.nr]
		deg := make([]float64, tc.nd)
		for i := range deg {
			if j := i - tc.shift; j >= 0 && j < len(base) {
				deg[i] = base[j]
			}
		}
		lim := tc.maxLag
		if lim <= 0 {
			lim = max(tc.nr, tc.nd) - 1
		}
		best, want := 0.0, 0
		for k := -lim; k <= lim; k++ {
			var c float64
			for n := range ref {
				if n+k >= 0 && n+k < len(deg) {
					c += ref[n] * deg[n+k]
				}
			}
			if c > best+1e-9 || (math.Abs(c-best) <= 1e-9 && abs(k) < abs(want)) {
				best, want = c, k
			}
		}
		if got := Delay(ref, deg, tc.maxLag); got != want {
			t.Errorf("%+v: Delay = %d, brute force %d", tc, got, want)
		}
	}
}

func abs(k int) int {
	if k < 0 {
		return -k
	}
	return k
}
