package train

import (
	"math/rand"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// TestForwardMatchesInference checks that the batched training forward pass
// gives the gains of enhancer's per-frame inference (enhancer.Net.Forward)
// for every sequence of a batch, for both cell types and ghost activations,
// and for the v2 graph (its head3, zero after InitRandom, made non-zero).
func TestForwardMatchesInference(t *testing.T) {
	cases := []struct {
		name string
		arch enhancer.Arch
	}{
		{"default", enhancer.DefaultArch},
		{"twin", enhancer.TwinArch},
		{"ghost-relu", func() enhancer.Arch { a := enhancer.DefaultArch; a.GhostAct = "relu"; a.Ratio = 3; return a }()},
		{"skip-2-no-floor", func() enhancer.Arch { a := enhancer.DefaultArch; a.Skip, a.Lookahead = 2, 2; return a }()},
		{"v2", enhancer.V2Arch},
		{"v2-twin", enhancer.V2TwinArch},
		{"v2-df", func() enhancer.Arch { a := enhancer.V2Arch; a.DF = 40; return a }()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			net, err := NewNet[float32](tc.arch)
			if err != nil {
				t.Fatal(err)
			}
			m := net.Model(0)
			m.InitRandom(rand.New(rand.NewSource(3)))
			rng3 := rand.New(rand.NewSource(5))
			for _, name := range []string{"head3.weight", "head3.bias"} { // v2 only
				for i := range m.Weights[name] {
					m.Weights[name][i] = float32(0.3 * rng3.NormFloat64())
				}
			}
			if err := net.SetModel(m); err != nil {
				t.Fatal(err)
			}
			const nb, nt = 3, 40
			f := tc.arch.InputSize()
			rng := rand.New(rand.NewSource(4))
			feat := make([]float32, nb*nt*f)
			for i := range feat {
				feat[i] = float32(rng.NormFloat64())
			}
			g := net.Forward(feat, nb, nt)
			inf, err := enhancer.NewNet(m)
			if err != nil {
				t.Fatal(err)
			}
			worst := worstGainDiff(inf, g, feat, nb, nt, f, tc.arch.Bins)
			if worst > 2e-5 {
				t.Errorf("largest gain difference %.3g, want ≤ 2e-5", worst)
			}
			t.Logf("largest gain difference %.3g", worst)
		})
	}
}

// TestAnalyzeLookaheadPairsTargets: with d frames of look-ahead the features
// stay those of frame t while the loss targets of row t are those of frame
// t − d (none before d), the frame the engine applies row t's gains to.
func TestAnalyzeLookaheadPairsTargets(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	noisy, clean := make([]float32, 160*30), make([]float32, 160*30)
	for i := range noisy {
		clean[i] = float32(0.2 * rng.NormFloat64())
		noisy[i] = clean[i] + float32(0.1*rng.NormFloat64())
	}
	const f, k = 64, 161
	base := Analyze(noisy, clean, f, 0, 0.3)
	for _, d := range []int{1, 2} {
		sp := Analyze(noisy, clean, f, d, 0.3)
		for i := range base.Feat {
			if sp.Feat[i] != base.Feat[i] {
				t.Fatalf("d=%d: feature %d changed", d, i)
			}
		}
		for name, arr := range map[string][2][]float32{"XC": {sp.XC, base.XC}, "SC": {sp.SC, base.SC}, "PC": {sp.PC, base.PC}, "XP": {sp.XP, base.XP}, "XS": {sp.XS, base.XS}, "SS": {sp.SS, base.SS}} {
			got, ref := arr[0], arr[1]
			for r := 0; r < sp.Frames; r++ {
				for i := 0; i < k; i++ {
					want := float32(0)
					if r >= d {
						want = ref[(r-d)*k+i]
					}
					if got[r*k+i] != want {
						t.Fatalf("d=%d: %s row %d bin %d = %v, want %v", d, name, r, i, got[r*k+i], want)
					}
				}
			}
		}
	}
}
