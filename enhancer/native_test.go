package enhancer

import (
	"math"
	"math/rand"
	"testing"

	"github.com/ghostrnn/ghostrnn/dsp"
)

// TestFramingAt checks which rates get a native grid: the model's 10 ms hop
// in whole samples at a rate not below the model's.
func TestFramingAt(t *testing.T) {
	for _, tc := range []struct {
		rate, hop int
		ok        bool
	}{
		{16000, 160, true}, {24000, 240, true}, {32000, 320, true}, {44100, 441, true},
		{48000, 480, true}, {88200, 882, true}, {96000, 960, true},
		{8000, 0, false}, {11025, 0, false}, {22050, 0, false}, {44101, 0, false},
	} {
		f, ok := DefaultFraming.At(tc.rate)
		if ok != tc.ok || (ok && (f.Hop != tc.hop || f.Window != 2*tc.hop || f.Rate != tc.rate || f.Lookahead != DefaultFraming.Lookahead)) {
			t.Errorf("At(%d) = %+v, %v; want hop %d, ok %v", tc.rate, f, ok, tc.hop, tc.ok)
		}
		if ok {
			// 20 ms of latency at every native rate
			if ms := 1000 * float64(f.Latency()) / float64(f.Rate); math.Abs(ms-20) > 1e-9 {
				t.Errorf("At(%d): latency %v ms, want 20", tc.rate, ms)
			}
		}
	}
	m := randomModel(t, DefaultArch, 1)
	if _, err := NewEngineAt(m, DefaultOptions, 22050); err == nil {
		t.Error("NewEngineAt(22050): want an error, no native grid")
	}
}

// TestNativeBypassIsDelayedIdentity: with gain 1 (attenuation limit 0, or
// mix 0) the native engine's output is its input delayed by exactly the
// algorithmic latency, N' − H' + D·H' samples (20 ms), at 48 and 44.1 kHz.
func TestNativeBypassIsDelayedIdentity(t *testing.T) {
	m := randomModel(t, DefaultArch, 11)
	for _, r := range []int{48000, 44100} {
		x := noisy(r+123, 3)
		for _, o := range []Options{{AttenLimDB: 0, Mix: 1}, {AttenLimDB: 100, Mix: 0}} {
			e, err := NewEngineAt(m, o, r)
			if err != nil {
				t.Fatal(err)
			}
			want := r / 50
			if e.Latency() != want {
				t.Errorf("%d Hz: Latency() %d, want %d", r, e.Latency(), want)
			}
			y := run(e, x, []int{1000, 7})
			if d := maxDelayedDiff(x, y, want); d > 1e-6 {
				t.Errorf("%d Hz %+v: max |y[n] − x[n−%d]| = %g", r, o, want, d)
			}
		}
	}
}

// TestNativeChunkingAndHighBand: at 48 kHz the output does not depend on the
// chunking, and every bin above the model's band has a gain between the floor
// and the square root of the mean of the model's gains over its top quarter,
// after the same controls.
func TestNativeChunkingAndHighBand(t *testing.T) {
	m := randomModel(t, DefaultArch, 5)
	x := noisy(48000/2+11, 9)
	newE := func(o Options) *Engine {
		e, err := NewEngineAt(m, o, 48000)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	want := run(newE(DefaultOptions), x, []int{len(x)})
	for _, chunks := range [][]int{{1}, {479, 481}, {4096, 3}} {
		got := run(newE(DefaultOptions), x, chunks)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("chunks %v: sample %d = %v, want %v", chunks, i, got[i], want[i])
			}
		}
	}
	for _, o := range []Options{{AttenLimDB: 100, Mix: 1}, {AttenLimDB: 6, Mix: 0.7}} {
		e := newE(o)
		e.Process(nil, x[:4800])
		g := e.Gains()
		if len(g) != 481 {
			t.Fatalf("%d gains at 48 kHz, want 481", len(g))
		}
		// Rebuild the high-band gain from the raw model gains of frame 10.
		cfg := e.Config()
		ana, _ := dsp.NewAnalyzer(cfg)
		fz, _ := dsp.NewFeaturizerAt(m.Config(), m.Arch.Features, cfg)
		net, _ := NewNet(m)
		raw, feat := make([]float32, m.Arch.Bins), make([]float32, m.Arch.Features)
		for i := 0; i < 10; i++ {
			fz.Compute(feat, ana.Frame(x[i*480:(i+1)*480]))
			net.Forward(raw, feat)
		}
		var mean float32
		for _, v := range raw[120:161] {
			mean += v
		}
		p := float64(mean / 41)
		floor := max(m.GainFloor, float32(math.Pow(10, -o.AttenLimDB/20)))
		lo := float64(o.Mix)*float64(floor) + (1 - o.Mix)
		hi := float64(o.Mix)*max(math.Sqrt(p), float64(floor)) + (1 - o.Mix)
		for k := 161; k < len(g); k++ {
			if v := float64(g[k]); v < lo-1e-6 || v > hi+1e-6 {
				t.Fatalf("%+v: bin %d gain %v outside [%v, %v] (floor, and sqrt of the mean raw gain of bins 120 … 160, after the controls)", o, k, v, lo, hi)
			}
		}
	}
}

// TestHighBandRule drives the high-band rule by hand: a bin that keeps its
// power while the model hears no speech is noise and goes to 0; a bin that
// rises 20 dB above that while the model hears speech opens towards
// sqrt(p) = 1; the first frame, with no noise estimate yet, gives 0.
func TestHighBandRule(t *testing.T) {
	const k, kn = 9, 13
	h := newHighBand(k, kn)
	if h.lo != 6 {
		t.Fatalf("lo = %d, want 6 (top quarter of 9 bins)", h.lo)
	}
	gain := make([]float32, kn)
	x := make([]complex128, kn)
	set := func(p float32, amp float64) {
		for i := range gain[:k] {
			gain[i] = p
		}
		for i := range x {
			x[i] = complex(amp, 0)
		}
		h.fill(gain, x)
	}
	set(0, 1)
	for i := k; i < kn; i++ {
		if gain[i] != 0 {
			t.Fatalf("first frame: bin %d gain %v, want 0", i, gain[i])
		}
	}
	for n := 0; n < 100; n++ {
		set(0, 1) // noise, no speech
	}
	if gain[k] != 0 {
		t.Errorf("noise alone: gain %v, want 0", gain[k])
	}
	var first float32
	for n := 0; n < 50; n++ {
		set(1, 10) // speech 20 dB above the noise
		if n == 0 {
			first = gain[k]
		}
	}
	if !(first > 0.5 && first < gain[k] && gain[k] > 0.97 && gain[k] <= 1) {
		t.Errorf("speech onset: gain %v, then %v after 50 frames; want > 0.5 rising to ≈ 1", first, gain[k])
	}
	for i := k + 1; i < kn; i++ {
		if gain[i] != gain[k] {
			t.Errorf("bin %d gain %v, want the same as bin %d's %v for the same power", i, gain[i], k, gain[k])
		}
	}
	h.reset()
	set(1, 10)
	if gain[k] != 0 {
		t.Errorf("after reset: gain %v, want 0 (no noise estimate yet)", gain[k])
	}
}

// TestNativeFeaturesMatchModelRate: a signal band-limited below 8 kHz gives
// the model nearly the same features whether the engine reads it at 16 kHz
// or natively at 48 kHz (the power is normalised by the native window's sum).
func TestNativeFeaturesMatchModelRate(t *testing.T) {
	f16, _ := dsp.NewFeaturizer(dsp.DefaultConfig, DefaultArch.Features)
	c48 := DefaultFraming.STFT()
	c48 = dsp.Config{SampleRate: 48000, Window: 3 * c48.Window, Hop: 3 * c48.Hop}
	f48, err := dsp.NewFeaturizerAt(dsp.DefaultConfig, DefaultArch.Features, c48)
	if err != nil {
		t.Fatal(err)
	}
	a16, _ := dsp.NewAnalyzer(dsp.DefaultConfig)
	a48, _ := dsp.NewAnalyzer(c48)
	tone := func(r, n int) float32 { // three tones at bin centres and between bins
		t := float64(n) / float64(r)
		return float32(0.3*math.Sin(2*math.Pi*440*t) + 0.1*math.Sin(2*math.Pi*2025*t) + 0.03*math.Sin(2*math.Pi*6100*t))
	}
	h16, h48 := make([]float32, 160), make([]float32, 480)
	v16, v48 := make([]float32, DefaultArch.Features), make([]float32, DefaultArch.Features)
	worst := 0.0
	for fr := 0; fr < 50; fr++ {
		for i := range h16 {
			h16[i] = tone(16000, fr*160+i)
		}
		for i := range h48 {
			h48[i] = tone(48000, fr*480+i)
		}
		f16.Compute(v16, a16.Frame(h16))
		f48.Compute(v48, a48.Frame(h48))
		if fr < 2 {
			continue
		}
		for b := range v16 {
			if f16.Levels()[b] > -60 { // bands the tones reach
				worst = max(worst, math.Abs(f16.Levels()[b]-f48.Levels()[b]))
			}
		}
	}
	if worst > 0.05 {
		t.Errorf("band levels at 48 kHz differ from 16 kHz by up to %.4f dB, want ≤ 0.05", worst)
	}
}

// BenchmarkEngineFrame48 is one 10 ms frame natively at 48 kHz: 960-point
// STFT, features of bins 0 … 160, network, gains of all 481 bins.
func BenchmarkEngineFrame48(b *testing.B) {
	e, err := NewEngineAt(randomModel(b, DefaultArch, 11), DefaultOptions, 48000)
	if err != nil {
		b.Fatal(err)
	}
	benchFrames(b, e)
}

// TestHighBandKernelsAgree: the high-band rule gives the same gains and state
// bit for bit with the AVX2 loop (where the CPU has it) and the Go loop, over
// frames of random spectra and model gains (48 kHz: 320 high bins; 44.1 kHz: 280).
func TestHighBandKernelsAgree(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this CPU: the Go loop runs alone")
	}
	defer func() { useAVX2 = true }()
	rng := rand.New(rand.NewSource(3))
	for _, kn := range []int{481, 442} {
		var h [2]highBand
		for i := range h {
			h[i] = newHighBand(161, kn)
		}
		x := make([]complex128, kn)
		var g [2][]float32
		for i := range g {
			g[i] = make([]float32, kn)
		}
		for frame := 0; frame < 20; frame++ {
			for k := range x {
				x[k] = complex(rng.NormFloat64(), rng.NormFloat64()) * complex(math.Exp(2*rng.NormFloat64()), 0)
			}
			for k := 0; k < 161; k++ {
				g[0][k] = rng.Float32()
			}
			copy(g[1], g[0][:161])
			for i, vec := range []bool{false, true} {
				useAVX2 = vec
				h[i].fill(g[i], x)
			}
			for k := range g[0] {
				if g[0][k] != g[1][k] {
					t.Fatalf("%d bins, frame %d: gain %d: AVX2 %v, Go %v", kn, frame, k, g[1][k], g[0][k])
				}
			}
			for k := range h[0].noise {
				if h[0].noise[k] != h[1].noise[k] || h[0].clean[k] != h[1].clean[k] {
					t.Fatalf("%d bins, frame %d: state of bin %d differs", kn, frame, 161+k)
				}
			}
		}
	}
}

// TestApplyGainsKernelsAgree: the AVX2 gain loop gives the Go loop's gains
// and output spectrum bit for bit and its energies within float64 rounding,
// for 481, 442 and 161 bins, with the controls on and at mix < 1.
func TestApplyGainsKernelsAgree(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this CPU: the Go loop runs alone")
	}
	defer func() { useAVX2 = true }()
	rng := rand.New(rand.NewSource(4))
	for _, n := range []int{481, 442, 161} {
		for _, c := range []struct{ floor, mix float32 }{{0.05, 1}, {0.3, 0.6}, {0, 1}} {
			x := make([]complex128, n)
			g0 := make([]float32, n)
			for k := range x {
				x[k] = complex(rng.NormFloat64(), rng.NormFloat64())
				g0[k] = rng.Float32()
			}
			var out [2][]complex128
			var gain [2][]float32
			var e [2][3]float64
			for i, vec := range []bool{false, true} {
				useAVX2 = vec
				out[i], gain[i] = make([]complex128, n), append([]float32(nil), g0...)
				e[i][0], e[i][1], e[i][2] = applyGains(out[i], x, gain[i], c.floor, c.mix, false)
			}
			for k := range x {
				if gain[0][k] != gain[1][k] || out[0][k] != out[1][k] {
					t.Fatalf("%d bins %+v: bin %d: AVX2 %v, %v; Go %v, %v", n, c, k, gain[1][k], out[1][k], gain[0][k], out[0][k])
				}
			}
			for j := range e[0] {
				if d := math.Abs(e[0][j] - e[1][j]); d > 1e-12*e[0][j] {
					t.Errorf("%d bins %+v: energy %d: AVX2 %v, Go %v", n, c, j, e[1][j], e[0][j])
				}
			}
		}
	}
}
