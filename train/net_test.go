package train

import (
	"math"
	"math/cmplx"
	"math/rand"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// tinyArch returns a small architecture of the given kind for fast tests.
func tinyArch(kind string, act string) enhancer.Arch {
	a := enhancer.Arch{Kind: kind, Features: 5, Hidden: 6, Layers: 2, Ratio: 2, Bins: 7, GhostAct: act, Skip: 1,
		Framing: enhancer.Framing{Rate: enhancer.DefaultFraming.Rate, Window: 12, Hop: 6, Lookahead: 1}}
	if kind == enhancer.KindGRU {
		a.Ratio = 1
	}
	return a
}

// randomTargets draws consistent targets for nb sequences of k bins from
// random complex spectra X and S (|S| = 0 in the last sequence, as in a
// noise-only example, when nb > 1).
func randomTargets[T Float](rng *rand.Rand, nb, k, n int) *Targets[T] {
	mk := func() []T { return make([]T, n) }
	tg := &Targets[T]{B: nb, K: k, XC: mk(), SC: mk(), PC: mk(), XP: mk(), XS: mk(), SS: mk()}
	const c = 0.3
	for i := 0; i < n; i++ {
		x := complex(0.2+rng.Float64(), 2*rng.Float64()-1)
		s := complex(1.2*rng.Float64(), 2*rng.Float64()-1)
		if nb > 1 && i/k%nb == nb-1 {
			s = 0
		}
		ax, as := cmplx.Abs(x), cmplx.Abs(s)
		cos := 0.0
		if as > 0 {
			cos = (real(x)*real(s) + imag(x)*imag(s)) / (ax * as)
		}
		tg.XC[i], tg.SC[i] = T(math.Pow(ax, c)), T(math.Pow(as, c))
		tg.PC[i] = tg.SC[i] * T(cos)
		tg.XP[i], tg.XS[i], tg.SS[i] = T(ax*ax), T(ax*as*cos), T(as*as)
	}
	return tg
}

// TestGradientCheck compares backpropagation with central finite differences
// in float64 for every parameter tensor of both cell types.
func TestGradientCheck(t *testing.T) {
	cases := []struct {
		name, kind, act string
		skip            int // feature skip half-width
	}{
		{"ghostgru-tanh", enhancer.KindGhost, "tanh", 1},
		{"ghostgru-identity", enhancer.KindGhost, "identity", 1},
		{"gru", enhancer.KindGRU, "tanh", 1},
		{"ghostgru-skip2", enhancer.KindGhost, "tanh", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := tinyArch(tc.kind, tc.act)
			a.Skip = tc.skip
			net, err := NewNet[float64](a)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewSource(1))
			for i := range net.P {
				net.P[i] = (2*rng.Float64() - 1) * 0.6
			}
			const nb, nt = 3, 5
			feat := make([]float64, nb*nt*a.Features)
			for i := range feat {
				feat[i] = 2*rng.Float64() - 1
			}
			tg := randomTargets[float64](rng, nb, a.Bins, nb*nt*a.Bins)
			cfg := DefaultLoss
			cfg.GainFloor = 1e-4
			cfg.SDRWeight = 0.05
			loss := func() float64 {
				g := net.Forward(feat, nb, nt)
				return Loss(cfg, g, tg, net.DOut())
			}
			checkGradients(t, net, a, loss, false)
		})
	}
}

func BenchmarkTrainStep(b *testing.B) {
	for _, a := range []enhancer.Arch{enhancer.DefaultArch, enhancer.TwinArch, enhancer.V2Arch, enhancer.V2TwinArch} {
		name := a.Kind
		if a.Graph != "" {
			name += "-" + a.Graph
		}
		b.Run(name, func(b *testing.B) {
			net, _ := NewNet[float32](a)
			m := net.Model(0)
			m.InitRandom(rand.New(rand.NewSource(1)))
			net.SetModel(m)
			rng := rand.New(rand.NewSource(2))
			const nb, nt = 32, 300
			feat := make([]float32, nb*nt*a.InputSize())
			for i := range feat {
				feat[i] = float32(rng.NormFloat64() * 0.3)
			}
			tg := randomTargets[float32](rng, nb, a.Bins, nb*nt*a.Bins)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g := net.Forward(feat, nb, nt)
				Loss(DefaultLoss, g, tg, net.DOut())
				net.Backward()
			}
			b.ReportMetric(float64(b.N*nb*nt)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}

func BenchmarkMakeBatch(b *testing.B) {
	c := synthCorpus(1)
	cfg := DefaultConfig(enhancer.DefaultArch)
	for i := 0; i < b.N; i++ {
		MakeBatch(&cfg, c, i, 1)
	}
	b.ReportMetric(float64(b.N*cfg.Batch*300)/b.Elapsed().Seconds(), "frames/s")
}

// TestSDRCap: on a clean sequence (X = S) passed with gain 1 − δ, δ = 0.01
// (40 dB), the default 30 dB cap hides the last 10 dB — its term sits near
// −30 dB and barely pulls — while a 60 dB cap rewards the 40 dB and pulls
// at least 5× harder toward g = 1; a noise-only sequence keeps its 30 dB
// attenuation cap either way.
func TestSDRCap(t *testing.T) {
	const k = 4
	mk := func(noiseOnly bool) *Targets[float64] {
		tg := &Targets[float64]{B: 1, K: k}
		for i := 0; i < k; i++ {
			x := 0.5 + 0.1*float64(i)
			s := x
			if noiseOnly {
				s = 0
			}
			xc, sc := math.Pow(x, 0.3), math.Pow(s, 0.3)
			tg.XC, tg.SC, tg.PC = append(tg.XC, xc), append(tg.SC, sc), append(tg.PC, sc)
			tg.XP, tg.XS, tg.SS = append(tg.XP, x*x), append(tg.XS, x*s), append(tg.SS, s*s)
		}
		return tg
	}
	sdr := func(cap float64, g float64, noiseOnly bool) (term, slope float64) {
		cfg := DefaultLoss
		cfg.MagWeight, cfg.ComplexWeight, cfg.GainFloor, cfg.SDRCap = 0, 0, 1e-6, cap
		gs := []float64{g, g, g, g}
		d := make([]float64, k)
		l := Loss(cfg, gs, mk(noiseOnly), d)
		return l / cfg.SDRWeight, -d[0]
	}
	t30, s30 := sdr(30, 0.99, false)
	t60, s60 := sdr(60, 0.99, false)
	if math.Abs(t30-10*math.Log10(1e-4+1e-3)) > 0.01 || math.Abs(t60-10*math.Log10(1e-4+1e-6)) > 0.01 {
		t.Errorf("clean at 40 dB: SDR term %.3f dB (cap 30), %.3f dB (cap 60), want %.3f, %.3f", t30, t60, 10*math.Log10(1.1e-3), 10*math.Log10(1.01e-4))
	}
	if !(s60 > 5*s30 && s30 > 0) {
		t.Errorf("clean at 40 dB: pull toward g = 1 %.4g (cap 30), %.4g (cap 60), want the 60 dB cap's ≥ 5× and both > 0", s30, s60)
	}
	n30, _ := sdr(30, 1e-6, true)
	n60, _ := sdr(60, 1e-6, true)
	if math.Abs(n30-n60) > 1e-9 || n30 > -29.9 {
		t.Errorf("noise only at −120 dB: term %.3f dB (cap 30), %.3f (cap 60), want both ≈ −30 dB", n30, n60)
	}
}
