package enhancer

import (
	"github.com/ghostrnn/ghostrnn/internal/fastmath"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// gruLayer is one GhostGRU (or plain GRU, when m = H) layer for inference.
type gruLayer struct {
	m, h     int
	wih, whh blas32.General // [3m, I], [3m, H]
	bih, bhh []float32      // [3m]
	wg       blas32.General // [H-m, m]; empty for a plain GRU
	bg       []float32      // [H-m]
	s        []float32      // state [h; g], length H
	gi, gh   []float32      // gate pre-activations, length 3m
}

// Net runs a Model one frame at a time in float32 with persistent state.
// It allocates nothing per frame.
type Net struct {
	arch   Arch
	phi    func(float32) float32
	win    blas32.General // [H, F]
	bin    []float32
	wout   blas32.General // [K, H]
	bout   []float32
	layers []gruLayer
	a0     []float32 // [H]
}

func general(rows, cols int, data []float32) blas32.General {
	return blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: data}
}

// NewNet prepares m for per-frame inference. The net shares m's weights.
func NewNet(m *Model) (*Net, error) {
	a := m.Arch
	if err := a.Validate(); err != nil {
		return nil, err
	}
	phi, _ := activation(a.GhostAct)
	h, mi := a.Hidden, a.Intrinsic()
	w := m.Weights
	n := &Net{
		arch: a, phi: phi,
		win: general(h, a.Features, w["in.weight"]), bin: w["in.bias"],
		wout: general(a.Bins, h, w["out.weight"]), bout: w["out.bias"],
		a0: make([]float32, h),
	}
	for l := 0; l < a.Layers; l++ {
		p := "gru" + itoa(l) + "."
		ly := gruLayer{
			m: mi, h: h,
			wih: general(3*mi, h, w[p+"weight_ih"]), whh: general(3*mi, h, w[p+"weight_hh"]),
			bih: w[p+"bias_ih"], bhh: w[p+"bias_hh"],
			s: make([]float32, h), gi: make([]float32, 3*mi), gh: make([]float32, 3*mi),
		}
		if mi < h {
			ly.wg = general(h-mi, mi, w[p+"ghost.weight"])
			ly.bg = w[p+"ghost.bias"]
		}
		n.layers = append(n.layers, ly)
	}
	return n, nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Reset zeroes the recurrent state.
func (n *Net) Reset() {
	for i := range n.layers {
		clear(n.layers[i].s)
	}
}

// Forward computes one frame: gain (length K) from features (length F).
// The recurrent state advances by one step.
func (n *Net) Forward(gain, feat []float32) {
	gemv(n.a0, n.win, feat, n.bin)
	for i, v := range n.a0 {
		n.a0[i] = tanh32(v)
	}
	x := n.a0
	for i := range n.layers {
		n.layers[i].step(x, n.phi)
		x = n.layers[i].s
	}
	gemv(gain, n.wout, x, n.bout)
	for i, v := range gain {
		gain[i] = sigmoid32(v)
	}
}

// step advances the layer by one frame with input x; the new state is l.s.
func (l *gruLayer) step(x []float32, phi func(float32) float32) {
	m := l.m
	gemv(l.gi, l.wih, x, l.bih)
	gemv(l.gh, l.whh, l.s, l.bhh)
	h := l.s[:m]
	for j := 0; j < m; j++ {
		r := sigmoid32(l.gi[j] + l.gh[j])
		z := sigmoid32(l.gi[m+j] + l.gh[m+j])
		nn := tanh32(l.gi[2*m+j] + r*l.gh[2*m+j])
		h[j] = (1-z)*nn + z*h[j]
	}
	if m < l.h {
		g := l.s[m:]
		gemv(g, l.wg, h, l.bg)
		for j, v := range g {
			g[j] = phi(v)
		}
	}
}

// gemv sets y = A x + b.
func gemv(y []float32, a blas32.General, x, b []float32) {
	copy(y, b)
	blas32.Gemv(blas.NoTrans, 1, a, blas32.Vector{N: len(x), Inc: 1, Data: x}, 1, blas32.Vector{N: len(y), Inc: 1, Data: y})
}

func sigmoid32(x float32) float32 { return fastmath.Sigmoid32(x) }
func tanh32(x float32) float32    { return fastmath.Tanh32(x) }
