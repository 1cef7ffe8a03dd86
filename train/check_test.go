package train

import (
	"math"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// checkGradients compares net's backpropagated gradient of loss with central
// finite differences (ε = 1e-6), tensor by tensor in a's order, and fails a
// tensor whose relative error ‖num − ana‖/‖num‖ exceeds 1e-3 (or is NaN).
// With nonzero, a tensor whose numerical gradient is all zero fails too.
func checkGradients(t *testing.T, net *Net[float64], a enhancer.Arch, loss func() float64, nonzero bool) {
	t.Helper()
	loss()
	net.Backward()
	ana := append([]float64(nil), net.Grad...)
	off := 0
	for _, ts := range a.Tensors() {
		var num2, diff2 float64
		for i := off; i < off+ts.Size(); i++ {
			const eps = 1e-6
			p := net.P[i]
			net.P[i] = p + eps
			lp := loss()
			net.P[i] = p - eps
			lm := loss()
			net.P[i] = p
			num := (lp - lm) / (2 * eps)
			num2 += num * num
			diff2 += (num - ana[i]) * (num - ana[i])
		}
		rel := math.Sqrt(diff2) / max(math.Sqrt(num2), 1e-12)
		if rel > 1e-3 || math.IsNaN(rel) || (nonzero && num2 == 0) {
			t.Errorf("%s: relative gradient error %.3g (|num| %.3g)", ts.Name, rel, math.Sqrt(num2))
		} else {
			t.Logf("%s: relative gradient error %.3g", ts.Name, rel)
		}
		off += ts.Size()
	}
}

// worstGainDiff runs the per-frame inference net inf over each of the nb
// sequences of the time-major batch in (nt rows of n inputs each, row
// t·nb + b) and returns the largest |g − inf| over the training forward's
// gains g (k per row).
func worstGainDiff(inf *enhancer.Net, g, in []float32, nb, nt, n, k int) float64 {
	want := make([]float32, k)
	var worst float64
	for b := 0; b < nb; b++ {
		inf.Reset()
		for tt := 0; tt < nt; tt++ {
			row := tt*nb + b
			inf.Forward(want, in[row*n:(row+1)*n])
			for i, w := range want {
				worst = max(worst, math.Abs(float64(g[row*k+i]-w)))
			}
		}
	}
	return worst
}
