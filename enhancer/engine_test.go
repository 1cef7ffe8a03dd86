package enhancer

import (
	"math"
	"math/rand"
	"testing"

	"github.com/ghostrnn/ghostrnn/dsp"
)

func noisy(n int, seed int64) []float32 {
	rng := rand.New(rand.NewSource(seed))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(0.3*math.Sin(float64(i)*0.05)*math.Sin(float64(i)*0.0007) + 0.05*rng.NormFloat64())
	}
	return x
}

func newEngine(t testing.TB, o Options) *Engine {
	e, err := NewEngine(randomModel(t, DefaultArch, 11), o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// run feeds x in chunks of the given sizes (cycled) and flushes.
func run(e *Engine, x []float32, chunks []int) []float32 {
	var out []float32
	for i, c := 0, 0; i < len(x); c++ {
		k := min(chunks[c%len(chunks)], len(x)-i)
		out = e.Process(out, x[i:i+k])
		i += k
	}
	return e.Flush(out)
}

func TestChunkingIsBitIdentical(t *testing.T) {
	x := noisy(16000*2+37, 1)
	want := run(newEngine(t, DefaultOptions), x, []int{len(x)})
	if len(want) < len(x)+160 {
		t.Fatalf("flushed output %d samples, want ≥ %d", len(want), len(x)+160)
	}
	rng := rand.New(rand.NewSource(2))
	randomChunks := make([]int, 100)
	for i := range randomChunks {
		randomChunks[i] = 1 + rng.Intn(5000)
	}
	for _, chunks := range [][]int{{1}, {7}, {160}, {4096}, {159, 161, 1, 3}, randomChunks} {
		got := run(newEngine(t, DefaultOptions), x, chunks)
		if len(got) != len(want) {
			t.Fatalf("chunks %v: %d samples, want %d", chunks[:min(4, len(chunks))], len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("chunks %v: sample %d = %v, want %v", chunks[:min(4, len(chunks))], i, got[i], want[i])
			}
		}
	}
}

// maxDelayedDiff returns max |y[n] − x[n−d]| over the input span.
func maxDelayedDiff(x, y []float32, d int) float64 {
	worst := 0.0
	for n := 0; n < len(x)+d; n++ {
		var want float32
		if n >= d {
			want = x[n-d]
		}
		worst = math.Max(worst, math.Abs(float64(y[n]-want)))
	}
	return worst
}

func TestControls(t *testing.T) {
	x := noisy(16000, 3)
	lat := 160 * (1 + DefaultArch.Lookahead) // N − H plus the look-ahead
	wet := run(newEngine(t, DefaultOptions), x, []int{4096})
	energy := func(y []float32) (e float64) {
		for _, v := range y {
			e += float64(v) * float64(v)
		}
		return
	}
	cases := []struct {
		name  string
		o     Options
		check func(t *testing.T, e *Engine, y []float32)
	}{
		{"bypass (atten 0) is the delayed input", Options{AttenLimDB: 0, Mix: 1}, func(t *testing.T, e *Engine, y []float32) {
			if d := maxDelayedDiff(x, y, lat); d > 1e-5 {
				t.Errorf("max diff %g", d)
			}
		}},
		{"mix 0 is the delayed input", Options{AttenLimDB: 100, Mix: 0}, func(t *testing.T, e *Engine, y []float32) {
			if d := maxDelayedDiff(x, y, lat); d > 1e-5 {
				t.Errorf("max diff %g", d)
			}
		}},
		{"atten limit 6 dB keeps every gain ≥ 0.501", Options{AttenLimDB: 6, Mix: 1}, func(t *testing.T, e *Engine, y []float32) {
			for _, g := range e.Gains() {
				if g < 0.501 {
					t.Errorf("gain %v below the 6 dB limit", g)
				}
			}
			if energy(y) < energy(wet)-1e-9 {
				t.Errorf("limited output energy %v below unlimited %v", energy(y), energy(wet))
			}
		}},
		{"mix 0.5 lies between dry and wet", Options{AttenLimDB: 100, Mix: 0.5}, func(t *testing.T, e *Engine, y []float32) {
			for n := lat; n < len(x); n++ {
				want := 0.5*x[n-lat] + 0.5*wet[n]
				if math.Abs(float64(y[n]-want)) > 1e-5 {
					t.Fatalf("sample %d: %v, want %v", n, y[n], want)
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, tc.o)
			tc.check(t, e, run(e, x, []int{4096}))
		})
	}
}

func TestResetRestartsStream(t *testing.T) {
	x := noisy(8000, 4)
	e := newEngine(t, DefaultOptions)
	first := run(e, x, []int{333})
	run(e, noisy(5000, 5), []int{100})
	e.Reset()
	second := run(e, x, []int{333})
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("after Reset sample %d = %v, want %v", i, second[i], first[i])
		}
	}
}

// TestImpulseLatency measures the algorithmic latency with an impulse in
// bypass and checks it against the framing: N − H = 160 samples = 10 ms,
// plus one hop per frame of look-ahead.
func TestImpulseLatency(t *testing.T) {
	for _, d := range []int{0, 1, 2} {
		a := DefaultArch
		a.Lookahead = d
		e, err := NewEngine(randomModel(t, a, 11), Options{AttenLimDB: 0, Mix: 1})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 4000)
		x[1000] = 1
		y := run(e, x, []int{4000})
		peak := 0
		for i := range y {
			if math.Abs(float64(y[i])) > math.Abs(float64(y[peak])) {
				peak = i
			}
		}
		if want := 160 * (1 + d); peak-1000 != want || e.Latency() != want {
			t.Errorf("look-ahead %d: impulse delay %d samples, Latency() %d, want %d", d, peak-1000, e.Latency(), want)
		}
	}
}

// TestLookaheadAppliesGainsToEarlierFrame rebuilds the engine's output by
// hand from dsp and the net: with D frames of look-ahead, the gains computed
// after frame t multiply the spectrum of frame t − D (the pairing training
// uses), whatever the chunking.
func TestLookaheadAppliesGainsToEarlierFrame(t *testing.T) {
	for _, d := range []int{1, 3} {
		a := DefaultArch
		a.Lookahead = d
		m := randomModel(t, a, 12)
		x := noisy(160*60, 13)
		e, err := NewEngine(m, DefaultOptions)
		if err != nil {
			t.Fatal(err)
		}
		got := run(e, x, []int{37, 500})

		cfg := m.Config()
		ana, _ := dsp.NewAnalyzer(cfg)
		syn, _ := dsp.NewSynthesizer(cfg)
		fz, _ := dsp.NewFeaturizer(cfg, a.Features)
		net, _ := NewNet(m)
		nt := len(got) / cfg.Hop
		specs := make([][]complex128, nt)
		gains := make([][]float32, nt)
		last := make([]float32, a.Bins) // the silence rule: an all-zero frame reuses the last gains
		for i := 0; i < nt; i++ {
			hop := make([]float32, cfg.Hop)
			if i*cfg.Hop < len(x) {
				copy(hop, x[i*cfg.Hop:])
			}
			specs[i] = append([]complex128(nil), ana.Frame(hop)...)
			gains[i] = last
			if !allZero(specs[i]) {
				f := make([]float32, a.Features)
				fz.Compute(f, specs[i])
				gains[i] = make([]float32, a.Bins)
				net.Forward(gains[i], f)
				last = gains[i]
			}
		}
		want := make([]float32, 0, len(got))
		out := make([]float32, cfg.Hop)
		y := make([]complex128, cfg.Bins())
		for i := 0; i < nt; i++ {
			for k := range y {
				y[k] = 0
				if j := i - d; j >= 0 {
					y[k] = specs[j][k] * complex(float64(max(gains[i][k], m.GainFloor)), 0)
				}
			}
			syn.Frame(out, y)
			want = append(want, out...)
		}
		var worst float64
		for i := range got {
			worst = max(worst, math.Abs(float64(got[i]-want[i])))
		}
		if worst > 1e-6 {
			t.Errorf("look-ahead %d: largest difference from the hand-built output %.3g, want ≤ 1e-6", d, worst)
		}
	}
}

func TestSpeechPresenceAndSuppression(t *testing.T) {
	e := newEngine(t, DefaultOptions)
	run(e, noisy(3200, 6), []int{160})
	st := e.Stats()
	if st.Frames == 0 || st.SpeechPresence <= 0 || st.SpeechPresence > 1 || st.SuppressionDB > 0 {
		t.Errorf("stats %+v out of range", st)
	}
	b := newEngine(t, Options{AttenLimDB: 0, Mix: 1})
	run(b, noisy(3200, 6), []int{160})
	if s := b.Stats().SuppressionDB; math.Abs(float64(s)) > 1e-6 {
		t.Errorf("bypass suppression %v dB, want 0", s)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{{AttenLimDB: -1, Mix: 1}, {AttenLimDB: 10, Mix: 2}, {AttenLimDB: math.NaN(), Mix: 1}} {
		if _, err := NewEngine(randomModel(t, DefaultArch, 1), o); err == nil {
			t.Errorf("%+v: want an error", o)
		}
	}
}

// BenchmarkEngineFrame is one 10 ms hop through the whole signal path.
func BenchmarkEngineFrame(b *testing.B) { benchFrames(b, newEngine(b, DefaultOptions)) }

// benchFrames times e one hop at a time over 100 hops of noisy input.
func benchFrames(b *testing.B, e *Engine) {
	h := e.Config().Hop
	x := noisy(h*100, 7)
	out := make([]float32, 0, h)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := (i % 100) * h
		out = e.Process(out[:0], x[j:j+h])
	}
}

// BenchmarkEngineSilence is the same on digital silence, which must cost no more.
func BenchmarkEngineSilence(b *testing.B) {
	e := newEngine(b, DefaultOptions)
	x := make([]float32, 160)
	out := make([]float32, 0, 160)
	for i := 0; i < 6000; i++ { // a minute of silence first
		out = e.Process(out[:0], x)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out = e.Process(out[:0], x)
	}
}

// TestSilentLeadInChangesNothing checks the silence rule of Engine.frame: a
// lead-in of digital silence (whole hops of exact zeros) leaves the engine
// as fresh as Reset does, so the output that follows is bit for bit the
// output without the lead-in, delayed by it. Before the rule the model ran
// on the silence and the speech after it came out different (and worse).
func TestSilentLeadInChangesNothing(t *testing.T) {
	x := noisy(16000*2, 5)
	want := run(newEngine(t, DefaultOptions), x, []int{len(x)})
	hop := DefaultArch.Hop
	for _, lead := range []int{2 * hop, 100 * hop} {
		in := append(make([]float32, lead), x...)
		got := run(newEngine(t, DefaultOptions), in, []int{333, 160, 1})
		if len(got) != len(want)+lead {
			t.Fatalf("lead-in %d: %d samples out, want %d", lead, len(got), len(want)+lead)
		}
		for i, v := range got[:lead] {
			if v != 0 {
				t.Fatalf("lead-in %d: sample %d of the silence came out %g", lead, i, v)
			}
		}
		for i, v := range got[lead:] {
			if v != want[i] {
				t.Fatalf("lead-in %d: sample %d after it is %g, without the lead-in %g", lead, i, v, want[i])
			}
		}
	}
}
