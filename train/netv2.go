package train

import (
	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/enhancer"
)

// convT is one enhancer.Conv for training, run over R frames at once
// without an im2col matrix: the frames' inputs are stacked, each with its
// zero padding, into xp = [R·L, In] (L = Pos + 2·pad, even for stride 2),
// and tap j of the kernel is one matrix product over all frames,
//
//	op[i] += xp[S·i + j] · W_jᵀ,  i < N = (R·L − Kernel)/S + 1,
//
// with W_j = W[:, j·In : (j+1)·In] and op = [R·L/S, Out]. Row r·L/S + q of
// op is output position q of frame r for q < OutPos; the rows between
// frames straddle two frames and are dropped (zero in the backward pass).
type convT[T Float] struct {
	enhancer.Conv
	w, b, gw, gb []T
	xp, op       []T // padded input [R·L, In], output rows [R·L/S, Out]
	dxp          []T
}

// padded returns L, the padded positions per frame, and N, the op rows computed.
func (c *convT[T]) padded(rows int) (l, n int) {
	l = c.Pos + 2*c.Pad()
	return l, (rows*l-c.Kernel)/c.Stride + 1
}

// forward sets out ([R, OutPos, Out]) to the convolution of in ([R, Pos, In]).
func (c *convT[T]) forward(out, in []T, rows int) {
	l, n := c.padded(rows)
	pad, lo, op := c.Pad(), l/c.Stride, c.OutPos()
	if len(c.xp) != rows*l*c.In {
		c.xp = make([]T, rows*l*c.In) // the padding stays zero
		c.op = make([]T, rows*lo*c.Out)
	}
	for r := 0; r < rows; r++ {
		copy(c.xp[(r*l+pad)*c.In:(r*l+pad+c.Pos)*c.In], in[r*c.Pos*c.In:(r+1)*c.Pos*c.In])
	}
	fillBias(c.op, n, c.Out, c.b)
	kin := c.Kernel * c.In
	for j := 0; j < c.Kernel; j++ {
		gemm(false, true, n, c.Out, c.In, 1, c.xp[j*c.In:], c.Stride*c.In, c.w[j*c.In:], kin, 1, c.op, c.Out)
	}
	for r := 0; r < rows; r++ {
		copy(out[r*op*c.Out:(r+1)*op*c.Out], c.op[r*lo*c.Out:(r*lo+op)*c.Out])
	}
}

// backward accumulates the weight and bias gradients from dOut
// ([R, OutPos, Out], ∂loss/∂out) and, when dIn is not nil, sets dIn
// ([R, Pos, In]) to ∂loss/∂in. It reuses op for ∂loss/∂op.
func (c *convT[T]) backward(dOut, dIn []T, rows int) {
	l, n := c.padded(rows)
	pad, lo, op := c.Pad(), l/c.Stride, c.OutPos()
	for r := 0; r < rows; r++ {
		copy(c.op[r*lo*c.Out:(r*lo+op)*c.Out], dOut[r*op*c.Out:(r+1)*op*c.Out])
		clear(c.op[(r*lo+op)*c.Out : (r+1)*lo*c.Out]) // the rows between frames
	}
	kin := c.Kernel * c.In
	for j := 0; j < c.Kernel; j++ {
		gemm(true, false, c.Out, c.In, n, 1, c.op, c.Out, c.xp[j*c.In:], c.Stride*c.In, 1, c.gw[j*c.In:], kin)
	}
	colSum(c.gb, dOut, rows*op, c.Out)
	if dIn == nil {
		return
	}
	c.dxp = grow(c.dxp, rows*l*c.In)
	beta := T(1)
	if c.Stride == 1 { // tap 0 sets rows 0 … n−1; only the last Kernel−1 need clearing
		beta = 0
		clear(c.dxp[n*c.In:])
	} else {
		clear(c.dxp)
	}
	for j := 0; j < c.Kernel; j++ {
		gemm(false, false, n, c.In, c.Out, 1, c.op, c.Out, c.w[j*c.In:], kin, beta, c.dxp[j*c.In:], c.Stride*c.In)
		beta = 1
	}
	for r := 0; r < rows; r++ {
		copy(dIn[r*c.Pos*c.In:(r+1)*c.Pos*c.In], c.dxp[(r*l+pad)*c.In:(r*l+pad+c.Pos)*c.In])
	}
}

// headT is the trainable v2 head (enhancer.GraphV2, docs/DESIGN.md): three
// convolutions over the K bins that correct the v1 logits. Its weights are
// views into the owning Net's P.
//
// The head's activations are K·C values per frame, tens of megabytes for a
// batch, so it runs in chunks of headChunk frames whose buffers stay in
// cache, and the backward pass recomputes each chunk's activations instead
// of keeping them: one more forward pass of the head, much less memory
// traffic.
type headT[T Float] struct {
	a        enhancer.Arch
	cv       [3]convT[T] // head1, head2, head3
	in       []T         // the input rows [R, InputSize] of the last forward
	l0       []T         // [R, K] the v1 logits of the last forward
	nb       int
	x        []T // [n, K, 8] the head's input of one chunk (enhancer.V2HeadInput per frame)
	h1, dh1  []T // [n, K, C] after the leaky ReLU, and ∂loss/∂h1
	h2, dh2  []T
	o, do    []T // [n, K, HeadOutputs] head3's output (the correction, the raw filter coefficients) and its gradient
	c, dc    []T // [R, DF, 6] the deep filter's coefficients tanh(raw) and ∂loss/∂c (v2 with Arch.DF > 0)
	w0       []T // [Kernel, C] head1's weights on input channel 0
	zero     []T // [K·3] per-bin input of the frames before the first
	bin0, f0 int // offset of the per-bin inputs in an input row, its length
}

// headChunk is the number of frames the head runs at a time.
const headChunk = 32

func newHeadT[T Float](a enhancer.Arch, views map[string][2][]T) *headT[T] {
	hd := &headT[T]{a: a, f0: a.InputSize(), bin0: a.Features, zero: make([]T, a.Bins*enhancer.V2BinChannels)}
	for i, c := range a.V2Convs() {
		w, b := views[c.Name+".weight"], views[c.Name+".bias"]
		hd.cv[i] = convT[T]{Conv: c, w: w[0], gw: w[1], b: b[0], gb: b[1]}
	}
	hd.w0 = make([]T, hd.cv[0].Kernel*hd.cv[0].Out)
	k, c := a.Bins, a.Channels
	hd.x = make([]T, headChunk*k*enhancer.V2HeadInputs)
	hd.h1, hd.dh1 = make([]T, headChunk*k*c), make([]T, headChunk*k*c)
	hd.h2, hd.dh2 = make([]T, headChunk*k*c), make([]T, headChunk*k*c)
	hd.o, hd.do = make([]T, headChunk*k*a.HeadOutputs()), make([]T, headChunk*k*a.HeadOutputs())
	return hd
}

// chunk runs the head forward on rows r0 … r0+n−1 (the correction in hd.o).
func (hd *headT[T]) chunk(r0, n int) {
	k, nb := hd.a.Bins, hd.nb
	bins := func(r int) []T {
		if r < 0 {
			return hd.zero
		}
		return hd.in[r*hd.f0+hd.bin0 : (r+1)*hd.f0]
	}
	for i := 0; i < n; i++ {
		r := r0 + i
		enhancer.V2HeadInput(hd.x[i*k*enhancer.V2HeadInputs:(i+1)*k*enhancer.V2HeadInputs], hd.l0[r*k:(r+1)*k], bins(r), bins(r-nb), bins(r-2*nb))
	}
	c := hd.a.Channels
	h1, h2 := hd.h1[:n*k*c], hd.h2[:n*k*c]
	hd.cv[0].forward(h1, hd.x[:n*k*enhancer.V2HeadInputs], n)
	leakyAll(h1)
	hd.cv[1].forward(h2, h1, n)
	leakyAll(h2)
	hd.cv[2].forward(hd.o[:n*k*hd.a.HeadOutputs()], h2, n)
}

// forward adds the head's correction to the v1 logits l ([R, K], in place),
// reading the per-bin inputs of each row's frame and the two before it from
// the input rows in ([R, InputSize], time-major). in must stay unchanged
// until backward.
func (hd *headT[T]) forward(l, in []T, nb, nt int) {
	rows, k := nb*nt, hd.a.Bins
	hd.in, hd.nb = in, nb
	hd.l0 = grow(hd.l0, rows*k)
	copy(hd.l0, l[:rows*k])
	nd, w := hd.a.DF, hd.a.HeadOutputs()
	hd.c, hd.dc = grow(hd.c, rows*nd*6), grow(hd.dc, rows*nd*6)
	for r0 := 0; r0 < rows; r0 += headChunk {
		n := min(headChunk, rows-r0)
		hd.chunk(r0, n)
		for i := range n * k {
			l[r0*k+i] += hd.o[i*w]
		}
		for i := range n {
			for kk := range nd {
				c := hd.c[((r0+i)*nd+kk)*6 : ((r0+i)*nd+kk+1)*6]
				for j, v := range hd.o[(i*k+kk)*w+1 : (i*k+kk+1)*w] {
					c[j] = tanhf(v)
				}
			}
		}
	}
}

// backward accumulates the head's weight gradients from dl, ∂loss/∂(the
// corrected logits) [R, K], and adds to dl the gradient that flows into
// the v1 logits through the head's input channel 0, so that dl becomes
// ∂loss/∂(v1 logits).
func (hd *headT[T]) backward(dl []T, nt int) {
	rows, k, c := hd.nb*nt, hd.a.Bins, hd.a.Channels
	c0 := &hd.cv[0]
	pad, kin := c0.Pad(), c0.Kernel*c0.In
	wt := hd.w0 // W1[:, j·In] as [Kernel, Out]
	for j := 0; j < c0.Kernel; j++ {
		for o := 0; o < c; o++ {
			wt[j*c+o] = c0.w[o*kin+j*c0.In]
		}
	}
	for r0 := 0; r0 < rows; r0 += headChunk {
		n := min(headChunk, rows-r0)
		hd.chunk(r0, n)
		h1, h2 := hd.h1[:n*k*c], hd.h2[:n*k*c]
		dh1, dh2 := hd.dh1[:n*k*c], hd.dh2[:n*k*c]
		do := dl[r0*k : (r0+n)*k]
		if nd, w := hd.a.DF, hd.a.HeadOutputs(); nd > 0 {
			do = hd.do[:n*k*w]
			clear(do)
			for i := range n * k {
				do[i*w] = dl[r0*k+i]
			}
			for i := range n {
				for kk := range nd {
					o := ((r0+i)*nd + kk) * 6
					for j := range 6 {
						c := hd.c[o+j]
						do[(i*k+kk)*w+1+j] = hd.dc[o+j] * (1 - c*c)
					}
				}
			}
		}
		hd.cv[2].backward(do, dh2, n)
		dleakyAll(dh2, h2)
		hd.cv[1].backward(dh2, dh1, n)
		dleakyAll(dh1, h1)
		hd.cv[0].backward(dh1, nil, n)
		// only input channel 0, the v1 logit, needs its gradient:
		// dl[r, p] += Σ_j Σ_o dh1[r, p + pad − j, o] · W1[o, j·In]
		for i := 0; i < n; i++ {
			d := dl[(r0+i)*k : (r0+i+1)*k]
			g := dh1[i*k*c : (i+1)*k*c]
			for p := range d {
				var acc T
				for j := 0; j < c0.Kernel; j++ {
					q := p + pad - j
					if q < 0 || q >= k {
						continue
					}
					w := wt[j*c : (j+1)*c]
					gq := g[q*c : (q+1)*c]
					for o, v := range w {
						acc += v * gq[o]
					}
				}
				d[p] += acc
			}
		}
	}
}

// leakyAll applies the leaky ReLU (slope enhancer.V2LeakySlope below 0) in place.
func leakyAll[T Float](x []T) {
	for i, v := range x {
		if v < 0 {
			x[i] = enhancer.V2LeakySlope * v
		}
	}
}

// dleakyAll multiplies the gradients d by the leaky ReLU's slope at its
// outputs y (y < 0 exactly where the input was).
func dleakyAll[T Float](d, y []T) {
	for i, v := range y {
		if v < 0 {
			d[i] *= enhancer.V2LeakySlope
		}
	}
}

// analyzeFor is Analyze for architecture a: for a v2 graph each frame's
// input row becomes its F features followed by its per-bin inputs
// (enhancer.V2BinInput), [T, F + 3K].
func analyzeFor(a enhancer.Arch, noisy, clean []float32, c float64) Spectra {
	sp := Analyze(noisy, clean, a.Features, a.Lookahead, c)
	if a.Graph != enhancer.GraphV2 {
		return sp
	}
	cfg := a.STFT()
	an, _ := dsp.NewAnalyzer(cfg)
	fz, _ := dsp.NewFeaturizer(cfg, a.Features)
	band := a.V2BinBands()
	scale := enhancer.V2Scale(cfg)
	f, n, k := a.Features, a.InputSize(), a.Bins
	in := make([]float32, sp.Frames*n)
	prev, tmp := make([]complex128, k), make([]float64, k)
	nd := a.DF
	var as *dsp.Analyzer
	var x1, x2, s1 []complex128 // frames t−1, t−2 of the noisy and t−1 of the clean spectrum
	if nd > 0 {
		as, _ = dsp.NewAnalyzer(cfg)
		sp.DF = make([]float32, sp.Frames*nd*8)
		x1, x2, s1 = make([]complex128, nd), make([]complex128, nd), make([]complex128, nd)
	}
	for t := 0; t < sp.Frames; t++ {
		x := an.Frame(noisy[t*cfg.Hop : (t+1)*cfg.Hop])
		row := in[t*n : (t+1)*n]
		fz.Compute(row[:f], x)
		enhancer.V2BinInput(row[f:], row[:f], fz.Levels(), x, prev, band, scale, tmp)
		copy(prev, x)
		if nd == 0 {
			continue
		}
		// row t's gains apply to frame t − 1 (look-ahead 1): its taps are
		// Z_0 = ±X(t), Z_1 = X(t−1), Z_2 = ±X(t−2), its target S(t−1), all
		// zero before the first frame. (At t = 0 only Z_0 is not zero: the
		// engine's first output frame holds c_0·X(0), and the loss sees it.)
		for kk := range nd {
			z0, z2 := x[kk], x2[kk]
			if kk&1 == 1 {
				z0, z2 = -z0, -z2
			}
			d := sp.DF[(t*nd+kk)*8 : (t*nd+kk+1)*8]
			for j, v := range [4]complex128{z0, x1[kk], z2, s1[kk]} {
				d[2*j], d[2*j+1] = float32(real(v)), float32(imag(v))
			}
		}
		copy(x2, x1)
		copy(x1, x[:nd])
		copy(s1, as.Frame(clean[t*cfg.Hop : (t+1)*cfg.Hop])[:nd])
	}
	sp.Feat = in
	return sp
}
