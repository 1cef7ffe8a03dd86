package train

import (
	"math"
	"math/rand"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// TestForwardMatchesInference checks that the batched training forward pass
// gives the gains of enhancer's per-frame inference (enhancer.Net.Forward)
// for every sequence of a batch, for both cell types and ghost activations.
func TestForwardMatchesInference(t *testing.T) {
	cases := []struct {
		name string
		arch enhancer.Arch
	}{
		{"default", enhancer.DefaultArch},
		{"twin", enhancer.TwinArch},
		{"ghost-relu", func() enhancer.Arch { a := enhancer.DefaultArch; a.GhostAct = "relu"; a.Ratio = 3; return a }()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			net, err := NewNet[float32](tc.arch)
			if err != nil {
				t.Fatal(err)
			}
			m := net.Model(0)
			m.InitRandom(rand.New(rand.NewSource(3)))
			if err := net.SetModel(m); err != nil {
				t.Fatal(err)
			}
			const nb, nt = 3, 40
			f := tc.arch.Features
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
			k := tc.arch.Bins
			want := make([]float32, k)
			var worst float64
			for b := 0; b < nb; b++ {
				inf.Reset()
				for tt := 0; tt < nt; tt++ {
					row := tt*nb + b
					inf.Forward(want, feat[row*f:(row+1)*f])
					for i, w := range want {
						worst = max(worst, math.Abs(float64(g[row*k+i]-w)))
					}
				}
			}
			if worst > 2e-5 {
				t.Errorf("largest gain difference %.3g, want ≤ 2e-5", worst)
			}
			t.Logf("largest gain difference %.3g", worst)
		})
	}
}
