package enhancer

import (
	"math"
	"math/rand"
	"testing"
)

// TestV2Budget pins the v2 model's size against the budget
// (≤ 150 k weights, ≤ 400 k MACs per 10 ms frame) and the counts worked by
// hand in docs/DESIGN.md.
func TestV2Budget(t *testing.T) {
	a := V2Arch
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if p, m := a.Params(), a.MACsPerFrame(); p != 145419 || m != 309826 {
		t.Errorf("v2: %d weights, %d MACs per frame; docs/DESIGN.md says 145,419 and 309,826", p, m)
	}
	if a.Params() > 150000 || a.MACsPerFrame() > 400000 {
		t.Errorf("v2 over budget: %d weights, %d MACs", a.Params(), a.MACsPerFrame())
	}
	if err := V2TwinArch.Validate(); err != nil {
		t.Fatal(err)
	}
	if p := V2TwinArch.Params(); p != 236171 {
		t.Errorf("v2 twin: %d weights; docs/DESIGN.md says 236,171", p)
	}
}

// TestV2Interp checks the band-to-bin interpolation: weights in [0, 1],
// bands neighbours, and band centres mapped onto themselves.
func TestV2Interp(t *testing.T) {
	lo, hi, w, err := V2Arch.V2Interp()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := V2Arch.V2BandCentres()
	for k := range lo {
		if w[k] < 0 || w[k] >= 1 || hi[k]-lo[k] > 1 || hi[k] < lo[k] {
			t.Fatalf("bin %d: bands %d, %d weight %v", k, lo[k], hi[k], w[k])
		}
	}
	for b, k := range c {
		if lo[k] != b || w[k] != 0 {
			t.Errorf("centre bin %d of band %d maps to band %d weight %v", k, b, lo[k], w[k])
		}
	}
}

func randomV2(t testing.TB, a Arch) *Model {
	m, err := NewModel(a)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(rand.New(rand.NewSource(7)))
	m.GainFloor = 0.03
	return m
}

// TestV2EngineRuns streams noise through a random v2 model: finite output of
// the right length, gains in (0, 1), chunking without effect.
func TestV2EngineRuns(t *testing.T) {
	m := randomV2(t, V2Arch)
	rng := rand.New(rand.NewSource(8))
	x := make([]float32, 16000)
	for i := range x {
		x[i] = float32(0.1 * rng.NormFloat64())
	}
	run := func(chunk int) []float32 {
		e, err := NewEngine(m, DefaultOptions)
		if err != nil {
			t.Fatal(err)
		}
		var out []float32
		for i := 0; i < len(x); i += chunk {
			out = e.Process(out, x[i:min(i+chunk, len(x))])
		}
		return e.Flush(out)
	}
	a, b := run(160), run(37)
	if len(a) != len(x)+m.Latency() || len(b) != len(a) {
		t.Fatalf("lengths %d, %d; want %d", len(a), len(b), len(x)+m.Latency())
	}
	for i := range a {
		if a[i] != b[i] || math.IsNaN(float64(a[i])) {
			t.Fatalf("sample %d: %v (chunk 160) vs %v (chunk 37)", i, a[i], b[i])
		}
	}
}

// BenchmarkV2Frame measures one engine frame of the v2 model (STFT pair,
// features, network, gains); it must allocate nothing.
func BenchmarkV2Frame(b *testing.B) {
	for _, a := range []Arch{V2Arch, V2TwinArch} {
		b.Run(a.Kind, func(b *testing.B) {
			m := randomV2(b, a)
			e, _ := NewEngine(m, DefaultOptions)
			hop := make([]float32, 160)
			rng := rand.New(rand.NewSource(9))
			for i := range hop {
				hop[i] = float32(0.1 * rng.NormFloat64())
			}
			out := make([]float32, 0, 160)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				out = e.Process(out[:0], hop)
			}
		})
	}
}

// TestV2FrameAllocs: the v2 engine frame allocates nothing.
func TestV2FrameAllocs(t *testing.T) {
	m := randomV2(t, V2Arch)
	e, _ := NewEngine(m, DefaultOptions)
	hop := make([]float32, 160)
	out := make([]float32, 0, 160)
	if n := testing.AllocsPerRun(50, func() { out = e.Process(out[:0], hop) }); n != 0 {
		t.Errorf("%v allocations per frame, want 0", n)
	}
}
