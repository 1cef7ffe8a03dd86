package enhancer

import (
	"math"
	"math/rand"
	"testing"
)

// refNet is an independent float64 implementation of the model equations in
// docs/DESIGN.md, written without blas, to check Net.
type refNet struct {
	m     *Model
	state [][]float64
	past  [][]float32 // every feature vector so far, oldest first
}

func newRef(m *Model) *refNet {
	r := &refNet{m: m}
	for l := 0; l < m.Arch.Layers; l++ {
		r.state = append(r.state, make([]float64, m.Arch.Hidden))
	}
	return r
}

func (r *refNet) dense(name string, x []float64, rows int) []float64 {
	w, b := r.m.Weights[name+"weight"], r.m.Weights[name+"bias"]
	cols := len(x)
	y := make([]float64, rows)
	for i := range y {
		s := float64(b[i])
		for j := 0; j < cols; j++ {
			s += float64(w[i*cols+j]) * x[j]
		}
		y[i] = s
	}
	return y
}

func sig(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func (r *refNet) forward(feat []float32) []float64 {
	a := r.m.Arch
	x := make([]float64, len(feat))
	for i, v := range feat {
		x[i] = float64(v)
	}
	x = r.dense("in.", x, a.Hidden)
	for i := range x {
		x[i] = math.Tanh(x[i])
	}
	m := a.Intrinsic()
	for l := 0; l < a.Layers; l++ {
		p := "gru" + itoa(l) + "."
		s := r.state[l]
		gi := r.denseW(p+"weight_ih", p+"bias_ih", x, 3*m)
		gh := r.denseW(p+"weight_hh", p+"bias_hh", s, 3*m)
		next := make([]float64, a.Hidden)
		for j := 0; j < m; j++ {
			rr := sig(gi[j] + gh[j])
			z := sig(gi[m+j] + gh[m+j])
			n := math.Tanh(gi[2*m+j] + rr*gh[2*m+j])
			next[j] = (1-z)*n + z*s[j]
		}
		if m < a.Hidden {
			g := r.denseW(p+"ghost.weight", p+"ghost.bias", next[:m], a.Hidden-m)
			for j, v := range g {
				switch a.GhostAct {
				case "relu":
					v = math.Max(v, 0)
				case "identity":
				default:
					v = math.Tanh(v)
				}
				next[m+j] = v
			}
		}
		r.state[l] = next
		x = next
	}
	g := r.dense("out.", x, a.Bins)
	if a.Skip > 0 {
		// Σ_{j=0..D} Σ_{o=−w..w} V[k, j(2w+1)+o+w] f_{t−j}[b(k)+o]
		r.past = append(r.past, append([]float32(nil), feat...))
		w, v, idx := 2*a.Skip+1, r.m.Weights["skip.weight"], a.SkipIndex()
		for k := range g {
			for j := 0; j <= a.Lookahead && j < len(r.past); j++ {
				f := r.past[len(r.past)-1-j]
				for o := 0; o < w; o++ {
					g[k] += float64(v[k*a.SkipTaps()+j*w+o]) * float64(f[idx[k*w+o]])
				}
			}
		}
	}
	for i := range g {
		g[i] = sig(g[i])
	}
	return g
}

func (r *refNet) denseW(wn, bn string, x []float64, rows int) []float64 {
	w, b := r.m.Weights[wn], r.m.Weights[bn]
	y := make([]float64, rows)
	for i := range y {
		s := float64(b[i])
		for j := range x {
			s += float64(w[i*len(x)+j]) * x[j]
		}
		y[i] = s
	}
	return y
}

func randomModel(t testing.TB, a Arch, seed int64) *Model {
	m, err := NewModel(a)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(rand.New(rand.NewSource(seed)))
	return m
}

// TestNetMatchesFloat64Reference runs random weights and inputs through the
// float32 blas net and the float64 reference for 50 frames.
func TestNetMatchesFloat64Reference(t *testing.T) {
	for _, a := range []Arch{
		DefaultArch, TwinArch,
		{Kind: KindGhost, Features: 10, Hidden: 13, Layers: 3, Ratio: 3, Bins: 7, GhostAct: "relu", Framing: framingFor(7, 0)},
		{Kind: KindGhost, Features: 5, Hidden: 8, Layers: 1, Ratio: 2, Bins: 9, GhostAct: "identity", Framing: framingFor(9, 0)},
		{Kind: KindGhost, Features: 5, Hidden: 8, Layers: 1, Ratio: 2, Bins: 9, GhostAct: "tanh", Framing: framingFor(9, 2), Skip: 2},
		{Kind: KindGRU, Features: 20, Hidden: 8, Layers: 1, Ratio: 1, Bins: 9, GhostAct: "tanh", Framing: framingFor(9, 0), Skip: 1},
	} {
		m := randomModel(t, a, 7)
		n, err := NewNet(m)
		if err != nil {
			t.Fatal(err)
		}
		ref := newRef(m)
		rng := rand.New(rand.NewSource(8))
		feat := make([]float32, a.Features)
		gain := make([]float32, a.Bins)
		worst := 0.0
		for f := 0; f < 50; f++ {
			for i := range feat {
				feat[i] = float32(rng.NormFloat64())
			}
			n.Forward(gain, feat)
			want := ref.forward(feat)
			for k := range gain {
				worst = math.Max(worst, math.Abs(float64(gain[k])-want[k]))
			}
		}
		if worst > 1e-4 {
			t.Errorf("%+v: max |float32 − float64| = %g, want ≤ 1e-4", a, worst)
		}
	}
}

// TestRatioOneIsPlainGRU: a GhostGRU with r = 1 has no ghost units and gives
// exactly the plain GRU's output.
func TestRatioOneIsPlainGRU(t *testing.T) {
	g := TwinArch
	g.Kind = KindGhost
	if g.Intrinsic() != g.Hidden {
		t.Fatalf("r=1 intrinsic %d, want %d", g.Intrinsic(), g.Hidden)
	}
	plain := randomModel(t, TwinArch, 3)
	ghost, _ := NewModel(g)
	if len(ghost.Weights) != len(plain.Weights) {
		t.Fatalf("r=1 ghost has %d tensors, plain GRU %d", len(ghost.Weights), len(plain.Weights))
	}
	for k, v := range plain.Weights {
		copy(ghost.Weights[k], v)
	}
	np, _ := NewNet(plain)
	ng, _ := NewNet(ghost)
	rng := rand.New(rand.NewSource(4))
	feat := make([]float32, g.Features)
	a, b := make([]float32, g.Bins), make([]float32, g.Bins)
	for f := 0; f < 20; f++ {
		for i := range feat {
			feat[i] = float32(rng.NormFloat64())
		}
		np.Forward(a, feat)
		ng.Forward(b, feat)
		for k := range a {
			if a[k] != b[k] {
				t.Fatalf("frame %d bin %d: plain %v, ghost r=1 %v", f, k, a[k], b[k])
			}
		}
	}
}

func TestBudget(t *testing.T) {
	p, tw := DefaultArch.Params(), TwinArch.Params()
	macs := DefaultArch.MACsPerFrame() * 100 // 100 frames per second
	if p > 150_000 {
		t.Errorf("default model has %d parameters, budget 150 k", p)
	}
	if macs > 20_000_000 {
		t.Errorf("default model costs %d MAC/s, budget 20 M", macs)
	}
	if r := float64(p) / float64(tw); r > 0.62 {
		t.Errorf("GhostRNN has %.3f of its twin's weights, want ≤ 0.62", r)
	}
	if ms := 1000 * float64(DefaultArch.Latency()) / float64(DefaultArch.Rate); ms > 20 {
		t.Errorf("default model's algorithmic latency %.1f ms, budget 20 ms", ms)
	}
	t.Logf("GhostRNN %d params, %.1f M MAC/s; GRU twin %d params (%.1f %%)", p, float64(macs)/1e6, tw, 100*float64(p)/float64(tw))
}

func TestArchValidate(t *testing.T) {
	for _, tc := range []struct {
		a  Arch
		ok bool
	}{
		{DefaultArch, true},
		{TwinArch, true},
		{Arch{Kind: KindGRU, Features: 1, Hidden: 4, Layers: 1, Ratio: 1, Bins: 9, GhostAct: "tanh", Framing: framingFor(9, 0)}, true},
		{Arch{Kind: "lstm", Features: 1, Hidden: 1, Layers: 1, Ratio: 1, Bins: 9, Framing: framingFor(9, 0)}, false},
		{Arch{Kind: KindGRU, Features: 1, Hidden: 4, Layers: 1, Ratio: 1, Bins: 9, GhostAct: "tanh", Framing: framingFor(9, -1)}, false},
		{Arch{Kind: KindGRU, Features: 1, Hidden: 4, Layers: 1, Ratio: 1, Bins: 9, GhostAct: "tanh", Framing: framingFor(9, MaxLookahead+1)}, false},
		{Arch{Kind: KindGRU, Features: 1, Hidden: 4, Layers: 1, Ratio: 2, Bins: 9, Framing: framingFor(9, 0)}, false},
		{Arch{Kind: KindGhost, Features: 1, Hidden: 4, Layers: 1, Ratio: 2, Bins: 9, GhostAct: "swish", Framing: framingFor(9, 0)}, false},
		{Arch{Kind: KindGhost, Features: 0, Hidden: 4, Layers: 1, Ratio: 2, Bins: 9, Framing: framingFor(9, 0)}, false},
		{Arch{Kind: KindGhost, Features: 1, Hidden: 1 << 20, Layers: 1, Ratio: 2, Bins: 9, Framing: framingFor(9, 0)}, false},
		{Arch{Kind: KindGRU, Features: 1, Hidden: 4, Layers: 1, Ratio: 1, Bins: 8, GhostAct: "tanh", Framing: framingFor(9, 0)}, false}, // bins ≠ N/2 + 1
		{Arch{Kind: KindGRU, Features: 1, Hidden: 4, Layers: 1, Ratio: 1, Bins: 9, GhostAct: "tanh"}, false},                            // no framing
	} {
		if err := tc.a.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: err=%v, want ok=%v", tc.a, err, tc.ok)
		}
	}
}

// framingFor returns a framing with k bins 50 Hz apart and d frames of
// look-ahead, for small test architectures.
func framingFor(k, d int) Framing {
	return Framing{Rate: 100 * (k - 1), Window: 2 * (k - 1), Hop: k - 1, Lookahead: d}
}

func BenchmarkNetForward(b *testing.B) {
	m := randomModel(b, DefaultArch, 1)
	n, _ := NewNet(m)
	feat := make([]float32, DefaultArch.Features)
	gain := make([]float32, DefaultArch.Bins)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n.Forward(gain, feat)
	}
}
