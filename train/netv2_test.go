package train

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/enhancer"
)

// tinyV2 is a small v2 architecture for the gradient check: 16 bands,
// a 6-unit core with the feature skip, 33 bins, a 4-channel head.
func tinyV2(kind string) enhancer.Arch {
	a := enhancer.Arch{Kind: kind, Features: 16, Hidden: 6, Layers: 2, Ratio: 2, Bins: 33, GhostAct: "tanh", Graph: enhancer.GraphV2, Channels: 4, Skip: 1,
		Framing: enhancer.Framing{Rate: enhancer.DefaultFraming.Rate, Window: 64, Hop: 32, Lookahead: 1}}
	if kind == enhancer.KindGRU {
		a.Ratio = 1
	}
	return a
}

// TestGradientCheckV2 compares backpropagation through the v2 graph with
// central finite differences in float64, tensor by tensor (every
// head convolution, the v1 part's tensors, with both cell types).
func TestGradientCheckV2(t *testing.T) {
	for _, kind := range []string{enhancer.KindGhost, enhancer.KindGRU, "ghostgru-df"} {
		t.Run(kind, func(t *testing.T) {
			a := tinyV2(strings.TrimSuffix(kind, "-df"))
			if strings.HasSuffix(kind, "-df") {
				a.DF = 6
			}
			net, err := NewNet[float64](a)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewSource(1))
			for i := range net.P {
				net.P[i] = (2*rng.Float64() - 1) * 0.6
			}
			nb, nt := 2, 4
			if a.DF > 0 {
				nt = 20 // 40 rows: the head's chunks of headChunk (32) frames meet inside
			}
			in := make([]float64, nb*nt*a.InputSize())
			for i := range in {
				in[i] = 2*rng.Float64() - 1
			}
			tg := randomTargets[float64](rng, nb, a.Bins, nb*nt*a.Bins)
			if a.DF > 0 {
				tg.ND, tg.DF = a.DF, make([]float64, nb*nt*a.DF*8)
				for i := range tg.DF {
					tg.DF[i] = 2*rng.Float64() - 1
				}
			}
			cfg := DefaultLoss
			cfg.GainFloor = 1e-4
			cfg.SDRWeight = 0.05
			loss := func() float64 {
				g := net.Forward(in, nb, nt)
				return LossDF(cfg, g, net.DFCoeffs(), tg, net.DOut(), net.DDF())
			}
			checkGradients(t, net, a, loss, true)
		})
	}
}

// TestV2EngineMatchesTraining runs random v2 models (head included, with
// and without the deep filter) on the same noisy speech-like signal
// through the streaming engine and through the training path
// (analyzeFor's input rows and taps, the batched forward, dfOut): the
// engine's gains of every frame and its output samples agree with what
// training computes, so the per-bin inputs (levels, phase advance) and the
// deep filter's taps the engine uses are the ones training sees.
func TestV2EngineMatchesTraining(t *testing.T) {
	for _, nd := range []int{0, 40} {
		a := enhancer.V2Arch
		a.DF = nd
		net, err := NewNet[float32](a)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(6))
		m := net.Model(0)
		m.InitRandom(rng)
		for _, name := range []string{"head3.weight", "head3.bias"} {
			for i := range m.Weights[name] {
				m.Weights[name][i] = float32(0.3 * rng.NormFloat64())
			}
		}
		if err := net.SetModel(m); err != nil {
			t.Fatal(err)
		}
		const nt = 60
		cfg, k := a.STFT(), a.Bins
		hop := cfg.Hop
		x := make([]float32, nt*hop)
		for i := range x {
			x[i] = float32(0.2*math.Sin(float64(i)*0.07)*math.Sin(float64(i)*0.0011) + 0.02*rng.NormFloat64())
		}
		sp := analyzeFor(a, x, x, 0.3)
		g := net.Forward(sp.Feat, 1, nt)
		c := net.DFCoeffs()
		e, err := enhancer.NewEngine(m, enhancer.DefaultOptions)
		if err != nil {
			t.Fatal(err)
		}
		// the training path's output: row t's gains (and filter) on frame t − 1
		an, _ := dsp.NewAnalyzer(cfg)
		syn, _ := dsp.NewSynthesizer(cfg)
		prev := make([]complex128, k)
		y := make([]complex128, k)
		want := make([]float32, hop)
		var worstG, worstY float64
		for tt := 0; tt < nt; tt++ {
			got := e.Process(nil, x[tt*hop:(tt+1)*hop])
			for kk, v := range e.Gains()[:k] {
				worstG = max(worstG, math.Abs(float64(max(g[tt*k+kk], 1e-5)-v)))
			}
			for kk := range y {
				y[kk] = prev[kk] * complex(float64(max(g[tt*k+kk], 1e-5)), 0)
			}
			for kk := 0; kk < nd; kk++ {
				yr, yi := dfOut(max(g[tt*k+kk], 1e-5), c[(tt*nd+kk)*6:], sp.DF[(tt*nd+kk)*8:])
				y[kk] = complex(float64(yr), float64(yi))
			}
			copy(prev, an.Frame(x[tt*hop:(tt+1)*hop]))
			syn.Frame(want, y)
			for i, v := range got {
				worstY = max(worstY, math.Abs(float64(v-want[i])))
			}
		}
		if worstG > 2e-5 || worstY > 1e-5 {
			t.Errorf("deep filter over %d bins: largest difference engine vs training %.3g (gains), %.3g (samples), want ≤ 2e-5, 1e-5", nd, worstG, worstY)
		}
		t.Logf("deep filter over %d bins: largest difference engine vs training %.3g (gains), %.3g (samples)", nd, worstG, worstY)
	}
}

// TestLossDFFiniteAtZero: where the deep filter's taps cancel (Y = 0) or
// nearly (|Y| = 1e-30), the loss and every gradient stay finite in
// float32 (a training run diverged at step 113 on exactly this before ε).
func TestLossDFFiniteAtZero(t *testing.T) {
	for _, tiny := range []float32{0, 1e-30, 1e-20} {
		tg := randomTargets[float32](rand.New(rand.NewSource(1)), 1, 2, 2)
		tg.ND = 1
		// Z_0 = Z_2 = 0, Z_1 = (tiny, 0), S = (0.5, 0.2); gain g, coefficient c_1 = −g: Y = tiny·(g − g) ≈ 0
		tg.DF = []float32{0, 0, tiny, 0, 0, 0, 0.5, 0.2}
		g := []float32{0.5, 0.5}
		c := []float32{0, 0, -0.5, 0, 0, 0}
		dOut, dC := make([]float32, 2), make([]float32, 6)
		l := LossDF(DefaultLoss, g, c, tg, dOut, dC)
		for _, v := range append(append([]float32{float32(l)}, dOut...), dC...) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("Z_1 = %g: loss %v, dOut %v, dC %v", tiny, l, dOut, dC)
			}
		}
	}
}
