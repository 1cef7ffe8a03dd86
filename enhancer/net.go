package enhancer

import (
	"github.com/ghostrnn/ghostrnn/internal/fastmath"
	"github.com/ghostrnn/ghostrnn/internal/vec32"

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
	phi    func(dst, src []float32) // φ of the ghost map, elementwise
	win    blas32.General           // [H, F]
	bin    []float32
	wout   blas32.General // [K, H]
	bout   []float32
	layers []gruLayer
	a0     []float32 // [H]

	// feature skip (Arch.Skip > 0)
	skipT []float32   // Vᵀ, [(D+1)(2w+1), K]: tap-major, so each tap is one pass over the bins
	sidxT []int32     // the band each bin reads at each offset, [2w+1, K]
	fhist [][]float32 // the last D+1 feature vectors; fhist[fpos] is the newest
	fpos  int

	v2 *netV2 // a v2 graph (Arch.Graph); the fields above are then unused
}

func general(rows, cols int, data []float32) blas32.General {
	return blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: data}
}

// NewNet prepares m for per-frame inference. The net shares m's weights,
// except a v2 head's, which it copies (transposed, vec32.Conv).
func NewNet(m *Model) (*Net, error) {
	a := m.Arch
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if a.Graph == GraphV2 {
		v2, err := newNetV2(m)
		return &Net{arch: a, v2: v2}, err
	}
	return newNetV1(m)
}

// newNetV1 builds the v1 graph of m, whose architecture has been checked.
func newNetV1(m *Model) (*Net, error) {
	a := m.Arch
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
	if a.Skip > 0 {
		v, idx := w["skip.weight"], a.SkipIndex()
		sw, nb := 2*a.Skip+1, a.Bins
		taps := (a.Lookahead + 1) * sw
		n.skipT, n.sidxT = make([]float32, taps*nb), make([]int32, sw*nb)
		for k := 0; k < nb; k++ {
			for t := 0; t < taps; t++ {
				n.skipT[t*nb+k] = v[k*taps+t]
			}
			for o := 0; o < sw; o++ {
				n.sidxT[o*nb+k] = int32(idx[k*sw+o])
			}
		}
		n.fhist = make([][]float32, a.Lookahead+1)
		for i := range n.fhist {
			n.fhist[i] = make([]float32, a.Features)
		}
	}
	return n, nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Reset zeroes the recurrent state and the skip's feature history.
func (n *Net) Reset() {
	if n.v2 != nil {
		n.v2.reset()
		return
	}
	for i := range n.layers {
		clear(n.layers[i].s)
	}
	for _, f := range n.fhist {
		clear(f)
	}
	n.fpos = 0
}

// ForwardSpec computes one frame's gains from its features and its
// spectrum x: a v1 graph reads the features alone, a v2 graph also the
// spectrum's bins 0 … K−1 (V2BinInput).
func (n *Net) ForwardSpec(gain, feat []float32, x []complex128) {
	if n.v2 != nil {
		n.v2.forwardSpec(gain, feat, x)
		return
	}
	n.Forward(gain, feat)
}

// Forward computes one frame: gain (length K) from the network's input
// (length Arch.InputSize(): the features for v1; for v2 the features
// followed by the frame's V2BinInput, whose previous two frames the net
// keeps). The recurrent state advances by one step.
func (n *Net) Forward(gain, in []float32) {
	if v := n.v2; v != nil {
		f := v.a.Features
		b0, b1, b2 := v.advance()
		copy(b0, in[f:])
		v.forward(gain, in[:f], b0, b1, b2)
		return
	}
	n.logits(gain, in)
	fastmath.SigmoidVec(gain, gain)
}

// logits computes one frame of a v1 graph up to the output layer: the
// pre-sigmoid gains (length K) from the features.
func (n *Net) logits(gain, feat []float32) {
	gemv(n.a0, n.win, feat, n.bin)
	fastmath.TanhVec(n.a0, n.a0)
	x := n.a0
	for i := range n.layers {
		n.layers[i].step(x, n.phi)
		x = n.layers[i].s
	}
	gemv(gain, n.wout, x, n.bout)
	if n.skipT != nil {
		n.addSkip(gain, feat)
	}
}

// addSkip pushes feat into the feature history and adds the skip term
// Σ_j Σ_o V[k, j(2w+1)+o+w] f_{t−j}[b(k)+o] to each pre-sigmoid gain. It
// runs tap by tap over all bins (Vᵀ), so the bins' additions are independent
// of each other while each bin still sums its taps in the order j, then o.
func (n *Net) addSkip(gain, feat []float32) {
	d := len(n.fhist)
	n.fpos = (n.fpos + 1) % d
	copy(n.fhist[n.fpos], feat)
	w := 2*n.arch.Skip + 1
	nb := n.arch.Bins
	gain = gain[:nb]
	for j := 0; j < d; j++ {
		f := n.fhist[(n.fpos-j+d)%d]
		for o := range w {
			v := n.skipT[(j*w+o)*nb : (j*w+o+1)*nb]
			idx := n.sidxT[o*nb : (o+1)*nb]
			for k := range gain {
				gain[k] += v[k] * f[idx[k]]
			}
		}
	}
}

// step advances the layer by one frame with input x; the new state is l.s.
// The gates are computed in place in l.gi, each activation over a whole
// vector: [r; z] = σ(gi[:2m] + gh[:2m]), n = tanh(gi[2m:] + r·gh[2m:]),
// h ← (1 − z)·n + z·h.
func (l *gruLayer) step(x []float32, phi func(dst, src []float32)) {
	m := l.m
	gemv(l.gi, l.wih, x, l.bih)
	gemv(l.gh, l.whh, l.s, l.bhh)
	rz, gn := l.gi[:2*m], l.gi[2*m:3*m]
	for j, v := range l.gh[:2*m] {
		rz[j] += v
	}
	fastmath.SigmoidVec(rz, rz)
	for j, v := range l.gh[2*m : 3*m] {
		gn[j] += rz[j] * v
	}
	fastmath.TanhVec(gn, gn)
	h, z := l.s[:m], rz[m:]
	for j, nn := range gn {
		h[j] = (1-z[j])*nn + z[j]*h[j]
	}
	if m < l.h {
		g := l.s[m:]
		gemv(g, l.wg, h, l.bg)
		phi(g, g)
	}
}

// gemv sets y = A x + b (y[i] = b[i] + Σ_j A[i,j]·x[j]); A is a.Rows×a.Cols
// with a.Stride = a.Cols, len(y) = a.Rows, len(x) = a.Cols.
func gemv(y []float32, a blas32.General, x, b []float32) {
	copy(y, b)
	vec32.MulVecAdd(y[:a.Rows], a.Data, x[:a.Cols])
}
