package train

import (
	"fmt"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// Net is the trainable form of enhancer.Model: all weights in one flat vector
// P (tensors in enhancer.Arch.Tensors order, row-major [out, in]) with the
// gradient vector Grad of the same layout, and a batched forward pass and
// backpropagation through time over B sequences of T frames in lockstep.
//
// Activations are stored time-major: row t·B + b holds frame t of sequence b,
// so the input dense, the input-to-hidden projections W_ih·x of every layer,
// the output dense and all their weight gradients are single matrix products
// over T·B rows, and only the recurrence s_{t-1} → s_t (W_hh, the ghost map
// and the gate arithmetic) runs step by step as [B, ·] products.
type Net[T Float] struct {
	Arch enhancer.Arch
	P    []T // parameters, Arch.Params() values
	Grad []T // ∂loss/∂P, same layout as P

	m, h, f, k int
	act        string

	win, bin, wout, bout   []T // views into P
	gwin, gbin, gwo, gbout []T // views into Grad
	layers                 []layer[T]
	skip, gskip            []T   // feature skip V [K, (D+1)(2w+1)] and its gradient (nil without)
	sidx                   []int // band read per bin and offset, [K, 2w+1]
	gather                 []T   // skipPass: gathered skip inputs [T·B, K·(2w+1)]

	// workspace, sized for (B, T)
	nb, nt int
	feat   []T // [TB, F] input features (owned by the caller's batch)
	a0     []T // [TB, H]
	gain   []T // [TB, K] σ(out), before the floor
	dOut   []T // [TB, K] ∂loss/∂(pre-sigmoid output)
	dA0    []T // [TB, H]

	ld   int       // values per input row: F, or F + 3K for v2
	head *headT[T] // the v2 head (enhancer.GraphV2), nil for v1
}

type layer[T Float] struct {
	wih, whh, bih, bhh, wg, bg []T
	gwih, gwhh, gbih, gbhh     []T
	gwg, gbg                   []T

	gi       []T // [TB, 3m] W_ih x + b_ih
	gh       []T // [B, 3m]  W_hh s + b_hh of one step
	r, z, n  []T // [TB, m]
	ghn      []T // [TB, m]  (W_hh s + b_hh)_n, the reset-gated term
	s        []T // [TB, H]  outputs [h'; g']
	dS       []T // [TB, H]  ∂loss/∂s (incoming, then total)
	dgi, dgh []T // [TB, 3m]
	du       []T // [TB, H-m] ∂loss/∂(ghost pre-activation)
	dsRec    []T // [B, H] gradient carried to the previous step
}

// NewNet returns a zero-weight trainable net for arch a.
func NewNet[T Float](a enhancer.Arch) (*Net[T], error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	np := a.Params()
	return newNetOn(a, make([]T, np), make([]T, np))
}

// newNetOn returns a net whose parameters and gradient are P and Grad (of
// length a.Params()).
func newNetOn[T Float](a enhancer.Arch, P, Grad []T) (*Net[T], error) {
	n := &Net[T]{Arch: a, m: a.Intrinsic(), h: a.Hidden, f: a.Features, k: a.Bins, act: a.GhostAct, P: P, Grad: Grad, ld: a.InputSize()}
	if n.act == "" {
		n.act = "tanh"
	}
	views := map[string][2][]T{}
	off := 0
	for _, t := range a.Tensors() {
		sz := t.Size()
		views[t.Name] = [2][]T{n.P[off : off+sz : off+sz], n.Grad[off : off+sz : off+sz]}
		off += sz
	}
	n.win, n.gwin = views["in.weight"][0], views["in.weight"][1]
	n.bin, n.gbin = views["in.bias"][0], views["in.bias"][1]
	n.wout, n.gwo = views["out.weight"][0], views["out.weight"][1]
	n.bout, n.gbout = views["out.bias"][0], views["out.bias"][1]
	for l := 0; l < a.Layers; l++ {
		p := fmt.Sprintf("gru%d.", l)
		ly := layer[T]{
			wih: views[p+"weight_ih"][0], gwih: views[p+"weight_ih"][1],
			whh: views[p+"weight_hh"][0], gwhh: views[p+"weight_hh"][1],
			bih: views[p+"bias_ih"][0], gbih: views[p+"bias_ih"][1],
			bhh: views[p+"bias_hh"][0], gbhh: views[p+"bias_hh"][1],
		}
		if n.m < n.h {
			ly.wg, ly.gwg = views[p+"ghost.weight"][0], views[p+"ghost.weight"][1]
			ly.bg, ly.gbg = views[p+"ghost.bias"][0], views[p+"ghost.bias"][1]
		}
		n.layers = append(n.layers, ly)
	}
	if a.Skip > 0 {
		n.skip, n.gskip = views["skip.weight"][0], views["skip.weight"][1]
		n.sidx = a.SkipIndex()
	}
	if a.Graph == enhancer.GraphV2 {
		n.head = newHeadT(a, views)
	}
	return n, nil
}

// SetModel copies the weights of m (same architecture) into P.
func (n *Net[T]) SetModel(m *enhancer.Model) error {
	if m.Arch != n.Arch {
		return fmt.Errorf("train: model architecture %+v differs from the net's %+v", m.Arch, n.Arch)
	}
	off := 0
	for _, t := range n.Arch.Tensors() {
		w, ok := m.Weights[t.Name]
		if !ok || len(w) != t.Size() {
			return fmt.Errorf("train: model tensor %s missing or of wrong size", t.Name)
		}
		for i, v := range w {
			n.P[off+i] = T(v)
		}
		off += t.Size()
	}
	return nil
}

// Model returns a float32 enhancer.Model holding a copy of the weights P.
func (n *Net[T]) Model(gainFloor float32) *enhancer.Model {
	m, _ := enhancer.NewModel(n.Arch)
	m.GainFloor = gainFloor
	off := 0
	for _, t := range n.Arch.Tensors() {
		w := m.Weights[t.Name]
		for i := range w {
			w[i] = float32(n.P[off+i])
		}
		off += t.Size()
	}
	return m
}

func grow[T Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// reserve sizes the workspace for nb sequences of nt frames.
func (n *Net[T]) reserve(nb, nt int) {
	if n.nb == nb && n.nt == nt {
		return
	}
	n.nb, n.nt = nb, nt
	rows := nb * nt
	h, m, k := n.h, n.m, n.k
	n.a0 = grow(n.a0, rows*h)
	n.dA0 = grow(n.dA0, rows*h)
	n.gain = grow(n.gain, rows*k)
	n.dOut = grow(n.dOut, rows*k)
	for i := range n.layers {
		ly := &n.layers[i]
		ly.gi = grow(ly.gi, rows*3*m)
		ly.gh = grow(ly.gh, nb*3*m)
		ly.r = grow(ly.r, rows*m)
		ly.z = grow(ly.z, rows*m)
		ly.n = grow(ly.n, rows*m)
		ly.ghn = grow(ly.ghn, rows*m)
		ly.s = grow(ly.s, rows*h)
		ly.dS = grow(ly.dS, rows*h)
		ly.dgi = grow(ly.dgi, rows*3*m)
		ly.dgh = grow(ly.dgh, rows*3*m)
		ly.du = grow(ly.du, rows*(h-m))
		ly.dsRec = grow(ly.dsRec, nb*h)
	}
}

// phi applies the ghost activation in place.
func (n *Net[T]) phi(v T) T {
	switch n.act {
	case "relu":
		return max(v, 0)
	case "identity":
		return v
	}
	return tanhf(v)
}

// dphi returns φ'(u) from the activation's output y = φ(u).
func (n *Net[T]) dphi(y T) T {
	switch n.act {
	case "relu":
		if y > 0 {
			return 1
		}
		return 0
	case "identity":
		return 1
	}
	return 1 - y*y
}

// fillBias sets each of rows rows of c (stride ld, width len(b)) to b.
func fillBias[T Float](c []T, rows, ld int, b []T) {
	if len(b) == 1 { // one value per row: no copy call per row
		v := b[0]
		for i := 0; i < rows; i++ {
			c[i*ld] = v
		}
		return
	}
	if ld == len(b) && rows > 0 { // contiguous rows: double the filled part
		n := rows * ld
		copy(c[:ld], b)
		for done := ld; done < n; done *= 2 {
			copy(c[done:n], c[:done])
		}
		return
	}
	for i := 0; i < rows; i++ {
		copy(c[i*ld:i*ld+len(b)], b)
	}
}

// colSum adds the column sums of the rows×cols matrix a to dst.
func colSum[T Float](dst, a []T, rows, cols int) {
	for i := 0; i < rows; i++ {
		row := a[i*cols : i*cols+cols]
		for j, v := range row {
			dst[j] += v
		}
	}
}

// Forward runs the network on feat, nb sequences of nt frames stored
// time-major ([nt·nb, InputSize], row t·nb + b), from zero state. It returns
// the gains σ(W_out s_L + b_out + skip (+ head)) as [nt·nb, K], owned by the
// net. feat must stay unchanged until Backward.
func (n *Net[T]) Forward(feat []T, nb, nt int) []T {
	n.reserve(nb, nt)
	n.feat = feat
	rows := nb * nt
	h, m, f, k := n.h, n.m, n.f, n.k
	// a0 = tanh(W_in f + b_in), all frames at once.
	fillBias(n.a0, rows, h, n.bin)
	gemm(false, true, rows, h, f, 1, feat, n.ld, n.win, f, 1, n.a0, h)
	for i, v := range n.a0 {
		n.a0[i] = tanhf(v)
	}
	x := n.a0
	for li := range n.layers {
		ly := &n.layers[li]
		fillBias(ly.gi, rows, 3*m, ly.bih)
		gemm(false, true, rows, 3*m, h, 1, x, h, ly.wih, h, 1, ly.gi, 3*m)
		for t := 0; t < nt; t++ {
			base := t * nb
			fillBias(ly.gh, nb, 3*m, ly.bhh)
			var prev []T
			if t > 0 {
				prev = ly.s[(base-nb)*h : base*h]
				gemm(false, true, nb, 3*m, h, 1, prev, h, ly.whh, h, 1, ly.gh, 3*m)
			}
			for b := 0; b < nb; b++ {
				row := base + b
				gi := ly.gi[row*3*m : (row+1)*3*m]
				gh := ly.gh[b*3*m : (b+1)*3*m]
				rr := ly.r[row*m : (row+1)*m]
				zz := ly.z[row*m : (row+1)*m]
				nn := ly.n[row*m : (row+1)*m]
				gn := ly.ghn[row*m : (row+1)*m]
				out := ly.s[row*h : row*h+m]
				for j := 0; j < m; j++ {
					r := sigmoid(gi[j] + gh[j])
					z := sigmoid(gi[m+j] + gh[m+j])
					c := tanhf(gi[2*m+j] + r*gh[2*m+j])
					var hp T
					if prev != nil {
						hp = prev[b*h+j]
					}
					rr[j], zz[j], nn[j], gn[j] = r, z, c, gh[2*m+j]
					out[j] = (1-z)*c + z*hp
				}
			}
			if m < h {
				blk := ly.s[base*h : (base+nb)*h]
				fillBias(blk[m:], nb, h, ly.bg)
				gemm(false, true, nb, h-m, m, 1, blk, h, ly.wg, m, 1, blk[m:], h)
				for b := 0; b < nb; b++ {
					g := blk[b*h+m : (b+1)*h]
					for j, v := range g {
						g[j] = n.phi(v)
					}
				}
			}
		}
		x = ly.s
	}
	fillBias(n.gain, rows, k, n.bout)
	gemm(false, true, rows, k, h, 1, x, h, n.wout, h, 1, n.gain, k)
	if n.skip != nil {
		n.skipPass(false)
	}
	if n.head != nil {
		n.head.forward(n.gain, feat, nb, nt)
	}
	for i, v := range n.gain {
		n.gain[i] = sigmoid(v)
	}
	return n.gain[:rows*k]
}

// skipPass runs the feature skip over all rows: forward, it adds
// Σ_j Σ_o V[k, j(2w+1)+o] f_{t−j}[idx[k, o]] to the pre-sigmoid output of row
// t·B + b (frames before 0 contribute nothing); backward, it accumulates
// ∂loss/∂V[k, j(2w+1)+o] = Σ_rows dOut[row, k] · f_{t−j}[idx[k, o]].
func (n *Net[T]) skipPass(backward bool) {
	nb, nt, k := n.nb, n.nt, n.k
	rows := nb * nt
	w := 2*n.Arch.Skip + 1
	taps := n.Arch.SkipTaps()
	kw := k * w
	if !backward {
		// gather once: G[row, k·w + o] = f_row[idx[k, o]], kept for the
		// backward pass
		n.gather = grow(n.gather, rows*kw)
		for r := 0; r < rows; r++ {
			fv := n.feat[r*n.ld : r*n.ld+n.f]
			g := n.gather[r*kw : (r+1)*kw]
			for i, bi := range n.sidx {
				g[i] = fv[bi]
			}
		}
	}
	for j := 0; j <= n.Arch.Lookahead; j++ {
		col := j * w
		// rows t ≥ j read the features of row − j·nb
		for row := j * nb; row < rows; row++ {
			x := n.gather[(row-j*nb)*kw : (row-j*nb+1)*kw]
			if backward {
				dout := n.dOut[row*k : (row+1)*k]
				if w == 3 { // the default half-width 1, unrolled
					for kk, dv := range dout {
						g := n.gskip[kk*taps+col : kk*taps+col+3 : kk*taps+col+3]
						xv := x[kk*3 : kk*3+3 : kk*3+3]
						g[0] += dv * xv[0]
						g[1] += dv * xv[1]
						g[2] += dv * xv[2]
					}
					continue
				}
				for kk, dv := range dout {
					g := n.gskip[kk*taps+col : kk*taps+col+w]
					xv := x[kk*w : kk*w+w]
					for o := range g {
						g[o] += dv * xv[o]
					}
				}
				continue
			}
			out := n.gain[row*k : (row+1)*k]
			if w == 3 {
				for kk := range out {
					v := n.skip[kk*taps+col : kk*taps+col+3 : kk*taps+col+3]
					xv := x[kk*3 : kk*3+3 : kk*3+3]
					out[kk] = out[kk] + v[0]*xv[0] + v[1]*xv[1] + v[2]*xv[2]
				}
				continue
			}
			for kk := range out {
				v := n.skip[kk*taps+col : kk*taps+col+w]
				xv := x[kk*w : kk*w+w]
				acc := out[kk]
				for o := range v {
					acc += v[o] * xv[o]
				}
				out[kk] = acc
			}
		}
	}
}

// DFCoeffs returns the deep filter's coefficients of the last Forward,
// [T·B, DF, 3] complex as (re, im) pairs, or nil without a deep filter.
func (n *Net[T]) DFCoeffs() []T {
	if n.head == nil || n.Arch.DF == 0 {
		return nil
	}
	return n.head.c
}

// DDF returns the buffer into which the loss writes ∂loss/∂(DFCoeffs())
// before Backward, or nil without a deep filter.
func (n *Net[T]) DDF() []T {
	if n.head == nil || n.Arch.DF == 0 {
		return nil
	}
	return n.head.dc
}

// DOut returns the [T·B, K] buffer into which the loss writes ∂loss/∂o, the
// gradient with respect to the pre-sigmoid outputs, before Backward.
func (n *Net[T]) DOut() []T {
	return n.dOut[:n.nb*n.nt*n.k]
}

// Backward backpropagates DOut() through the last Forward and sets Grad
// (it overwrites, it does not accumulate).
func (n *Net[T]) Backward() {
	clear(n.Grad)
	if n.head != nil {
		n.head.backward(n.dOut, n.nt)
	}
	nb, nt := n.nb, n.nt
	rows := nb * nt
	h, m, f, k := n.h, n.m, n.f, n.k
	L := len(n.layers)
	last := &n.layers[L-1]
	// output dense
	gemm(true, false, k, h, rows, 1, n.dOut, k, last.s, h, 1, n.gwo, h)
	colSum(n.gbout, n.dOut, rows, k)
	gemm(false, false, rows, h, k, 1, n.dOut, k, n.wout, h, 0, last.dS, h)
	if n.skip != nil {
		n.skipPass(true)
	}
	for li := L - 1; li >= 0; li-- {
		ly := &n.layers[li]
		x := n.a0
		dx := n.dA0
		if li > 0 {
			x = n.layers[li-1].s
			dx = n.layers[li-1].dS
		}
		clear(ly.dsRec)
		for t := nt - 1; t >= 0; t-- {
			base := t * nb
			ds := ly.dS[base*h : (base+nb)*h]
			if t < nt-1 {
				for i, v := range ly.dsRec {
					ds[i] += v
				}
			}
			blk := ly.s[base*h : (base+nb)*h]
			if m < h {
				du := ly.du[base*(h-m) : (base+nb)*(h-m)]
				for b := 0; b < nb; b++ {
					for j := 0; j < h-m; j++ {
						du[b*(h-m)+j] = ds[b*h+m+j] * n.dphi(blk[b*h+m+j])
					}
				}
				gemm(false, false, nb, m, h-m, 1, du, h-m, ly.wg, m, 1, ds, h)
			}
			var prev []T
			if t > 0 {
				prev = ly.s[(base-nb)*h : base*h]
			}
			for b := 0; b < nb; b++ {
				row := base + b
				rr := ly.r[row*m : (row+1)*m]
				zz := ly.z[row*m : (row+1)*m]
				nn := ly.n[row*m : (row+1)*m]
				gn := ly.ghn[row*m : (row+1)*m]
				dgi := ly.dgi[row*3*m : (row+1)*3*m]
				dgh := ly.dgh[row*3*m : (row+1)*3*m]
				rec := ly.dsRec[b*h : (b+1)*h]
				for j := 0; j < m; j++ {
					dh := ds[b*h+j]
					r, z, c := rr[j], zz[j], nn[j]
					var hp T
					if prev != nil {
						hp = prev[b*h+j]
					}
					dn := dh * (1 - z)
					dz := dh * (hp - c)
					dan := dn * (1 - c*c)
					dar := dan * gn[j] * r * (1 - r)
					daz := dz * z * (1 - z)
					dgi[j], dgi[m+j], dgi[2*m+j] = dar, daz, dan
					dgh[j], dgh[m+j], dgh[2*m+j] = dar, daz, dan*r
					rec[j] = dh * z
				}
				clear(rec[m:])
			}
			if t > 0 {
				gemm(false, false, nb, h, 3*m, 1, ly.dgh[base*3*m:], 3*m, ly.whh, h, 1, ly.dsRec, h)
			}
		}
		// time-parallel weight gradients
		gemm(true, false, 3*m, h, rows, 1, ly.dgi, 3*m, x, h, 1, ly.gwih, h)
		colSum(ly.gbih, ly.dgi, rows, 3*m)
		if nt > 1 {
			gemm(true, false, 3*m, h, rows-nb, 1, ly.dgh[nb*3*m:], 3*m, ly.s, h, 1, ly.gwhh, h)
		}
		colSum(ly.gbhh, ly.dgh, rows, 3*m)
		if m < h {
			gemm(true, false, h-m, m, rows, 1, ly.du, h-m, ly.s, h, 1, ly.gwg, m)
			colSum(ly.gbg, ly.du, rows, h-m)
		}
		gemm(false, false, rows, h, 3*m, 1, ly.dgi, 3*m, ly.wih, h, 0, dx, h)
	}
	// input dense: a0 = tanh(W_in f + b_in)
	for i, v := range n.a0 {
		n.dA0[i] *= 1 - v*v
	}
	gemm(true, false, h, f, rows, 1, n.dA0, h, n.feat, n.ld, 1, n.gwin, f)
	colSum(n.gbin, n.dA0, rows, h)
}
