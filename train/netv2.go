package train

import (
	"strings"

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
// ([R, OutPos, Out], ∂loss/∂out) and, when dIn is not nil, adds
// ∂loss/∂in to dIn ([R, Pos, In]). It reuses op for ∂loss/∂op.
func (c *convT[T]) backward(dOut, dIn []T, rows int) {
	l, n := c.padded(rows)
	pad, lo, op := c.Pad(), l/c.Stride, c.OutPos()
	clear(c.op)
	for r := 0; r < rows; r++ {
		copy(c.op[r*lo*c.Out:(r*lo+op)*c.Out], dOut[r*op*c.Out:(r+1)*op*c.Out])
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
	clear(c.dxp)
	for j := 0; j < c.Kernel; j++ {
		gemm(false, false, n, c.In, c.Out, 1, c.op, c.Out, c.w[j*c.In:], kin, 1, c.dxp[j*c.In:], c.Stride*c.In)
	}
	for r := 0; r < rows; r++ {
		d := dIn[r*c.Pos*c.In : (r+1)*c.Pos*c.In]
		for i, v := range c.dxp[(r*l+pad)*c.In : (r*l+pad+c.Pos)*c.In] {
			d[i] += v
		}
	}
}

// netV2 is the trainable v2 graph (enhancer.GraphV2, docs/DESIGN.md): the
// encoder and decoder convolutions around a v1 Net as the recurrent core,
// all parameters in the owning Net's P (tensors in Arch.Tensors order).
// Activations are [R, positions, channels] with R = T·B frames time-major,
// as in Net.
type netV2[T Float] struct {
	a       enhancer.Arch
	core    *Net[T]
	cv      []convT[T] // enc1 … enc4, dec3, dec2, dec1, out
	lo, hi  []int
	w       []T
	nb, nt  int
	in      []T // the caller's input [R, F, 3]
	x       []T // enc1 input [R, F, 6]: frame t's input, then frame t−1's
	e1, de1 []T // [R, F/2, C] after tanh, and ∂loss/∂e1
	e2, de2 []T // [R, F/4, C]
	e3, de3 []T // [R, F/8, C]
	z, dz   []T // [R, F/8, C/2], the core's input
	in3, d3 []T // [R, F/8, C/2 + C], dec3 input and its gradient
	t3, dt3 []T // [R, F/8, C] after tanh
	in2, d2 []T // [R, F/4, C]
	t2, dt2 []T
	in1, d1 []T // [R, F/2, C]
	t1, dt1 []T
	io, dio []T // [R, F, C + 6], the out convolution's input
	o, do   []T // [R, F] band logits
	gain    []T // [R, K]
	dOut    []T // [R, K] ∂loss/∂(pre-sigmoid bin logits)
	dd      []T // [R, F/8·C/2] ∂loss/∂(core output)
}

// newNetV2 returns a Net for the v2 architecture a on parameters P and
// gradient Grad.
func newNetV2[T Float](a enhancer.Arch, P, Grad []T) (*Net[T], error) {
	v := &netV2[T]{a: a}
	views := map[string][2][]T{}
	off, start := 0, -1
	for _, t := range a.Tensors() {
		sz := t.Size()
		views[t.Name] = [2][]T{P[off : off+sz : off+sz], Grad[off : off+sz : off+sz]}
		if start < 0 && strings.HasPrefix(t.Name, "core.") {
			start = off
		}
		off += sz
	}
	for _, c := range a.V2Convs() {
		w, b := views[c.Name+".weight"], views[c.Name+".bias"]
		v.cv = append(v.cv, convT[T]{Conv: c, w: w[0], gw: w[1], b: b[0], gb: b[1]})
	}
	// the core's tensors are contiguous in P, in the core's own order
	ca := a.V2Core()
	core, err := newNetOn(ca, P[start:start+ca.Params()], Grad[start:start+ca.Params()])
	if err != nil {
		return nil, err
	}
	v.core = core
	lo, hi, w, err := a.V2Interp()
	if err != nil {
		return nil, err
	}
	v.lo, v.hi, v.w = lo, hi, make([]T, len(w))
	for i, x := range w {
		v.w[i] = T(x)
	}
	return &Net[T]{Arch: a, P: P, Grad: Grad, k: a.Bins, v2: v}, nil
}

// reserve sizes the activations for nb sequences of nt frames.
func (v *netV2[T]) reserve(nb, nt int) {
	if v.nb == nb && v.nt == nt {
		return
	}
	v.nb, v.nt = nb, nt
	r := nb * nt
	f, c, cb, ic := v.a.Features, v.a.Channels, v.a.Channels/2, 2*enhancer.V2InputChannels
	for _, b := range []struct {
		p *[]T
		n int
	}{
		{&v.x, f * ic}, {&v.e1, f / 2 * c}, {&v.de1, f / 2 * c}, {&v.e2, f / 4 * c}, {&v.de2, f / 4 * c},
		{&v.e3, f / 8 * c}, {&v.de3, f / 8 * c}, {&v.z, f / 8 * cb}, {&v.dz, f / 8 * cb},
		{&v.in3, f / 8 * (cb + c)}, {&v.d3, f / 8 * (cb + c)}, {&v.t3, f / 8 * c}, {&v.dt3, f / 8 * c},
		{&v.in2, f / 4 * c}, {&v.d2, f / 4 * c}, {&v.t2, f / 4 * c}, {&v.dt2, f / 4 * c},
		{&v.in1, f / 2 * c}, {&v.d1, f / 2 * c}, {&v.t1, f / 2 * c}, {&v.dt1, f / 2 * c},
		{&v.io, f * (c + ic)}, {&v.dio, f * (c + ic)}, {&v.o, f}, {&v.do, f},
		{&v.gain, v.a.Bins}, {&v.dOut, v.a.Bins}, {&v.dd, f / 8 * cb},
	} {
		*b.p = grow(*b.p, r*b.n)
	}
}

func tanhAll[T Float](x []T) {
	for i, v := range x {
		x[i] = tanhf(v)
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

// dtanhAll multiplies the gradients d by 1 − y², y the tanh outputs.
func dtanhAll[T Float](d, y []T) {
	for i, v := range y {
		d[i] *= 1 - v*v
	}
}

// upAdd sets dst[r, q, :] = low[r, q/2, :] + skip[r, q, :] for q < pos
// (nearest-neighbour upsampling by 2 plus the skip connection), c channels.
func upAdd[T Float](dst, low, skip []T, rows, pos, c int) {
	for r := 0; r < rows; r++ {
		for q := 0; q < pos; q++ {
			d := dst[(r*pos+q)*c : (r*pos+q+1)*c]
			l := low[(r*pos/2+q/2)*c : (r*pos/2+q/2+1)*c]
			s := skip[(r*pos+q)*c : (r*pos+q+1)*c]
			for j := range d {
				d[j] = l[j] + s[j]
			}
		}
	}
}

// upAddBack is upAdd's backward pass: dLow[r, q/2] += d[r, q], dSkip = d.
func upAddBack[T Float](dLow, dSkip, d []T, rows, pos, c int) {
	copy(dSkip, d[:rows*pos*c])
	for r := 0; r < rows; r++ {
		for q := 0; q < pos; q++ {
			src := d[(r*pos+q)*c : (r*pos+q+1)*c]
			l := dLow[(r*pos/2+q/2)*c : (r*pos/2+q/2+1)*c]
			for j, v := range src {
				l[j] += v
			}
		}
	}
}

// forward runs the graph on in ([T·B, F·3] time-major, V2Input's layout per
// frame) and returns the gains [T·B, K]. in must stay unchanged until
// backward.
func (v *netV2[T]) forward(in []T, nb, nt int) []T {
	v.reserve(nb, nt)
	v.in = in
	rows := nb * nt
	f, c, cb := v.a.Features, v.a.Channels, v.a.Channels/2
	const ic = enhancer.V2InputChannels
	for r := 0; r < rows; r++ {
		for p := 0; p < f; p++ {
			x := v.x[(r*f+p)*2*ic : (r*f+p+1)*2*ic]
			copy(x[:ic], in[(r*f+p)*ic:(r*f+p+1)*ic])
			if r >= nb {
				copy(x[ic:], in[((r-nb)*f+p)*ic:((r-nb)*f+p+1)*ic])
			} else {
				clear(x[ic:])
			}
		}
	}
	cv := v.cv
	cv[0].forward(v.e1, v.x, rows)
	leakyAll(v.e1)
	cv[1].forward(v.e2, v.e1, rows)
	leakyAll(v.e2)
	cv[2].forward(v.e3, v.e2, rows)
	leakyAll(v.e3)
	cv[3].forward(v.z, v.e3, rows)
	tanhAll(v.z)
	d := v.core.Forward(v.z, nb, nt)
	p3 := f / 8
	for r := 0; r < rows*p3; r++ {
		row := v.in3[r*(cb+c) : (r+1)*(cb+c)]
		copy(row[:cb], d[r*cb:(r+1)*cb])
		copy(row[cb:], v.e3[r*c:(r+1)*c])
	}
	cv[4].forward(v.t3, v.in3, rows)
	leakyAll(v.t3)
	upAdd(v.in2, v.t3, v.e2, rows, f/4, c)
	cv[5].forward(v.t2, v.in2, rows)
	leakyAll(v.t2)
	upAdd(v.in1, v.t2, v.e1, rows, f/2, c)
	cv[6].forward(v.t1, v.in1, rows)
	leakyAll(v.t1)
	ow := c + 2*ic
	for r := 0; r < rows; r++ {
		for q := 0; q < f; q++ {
			io := v.io[(r*f+q)*ow : (r*f+q+1)*ow]
			copy(io[:c], v.t1[(r*f/2+q/2)*c:(r*f/2+q/2+1)*c])
			copy(io[c:], v.x[(r*f+q)*2*ic:(r*f+q+1)*2*ic])
		}
	}
	cv[7].forward(v.o, v.io, rows)
	k := v.a.Bins
	for r := 0; r < rows; r++ {
		o := v.o[r*f : (r+1)*f]
		g := v.gain[r*k : (r+1)*k]
		for i := range g {
			lo, hi := o[v.lo[i]], o[v.hi[i]]
			g[i] = sigmoid(lo + v.w[i]*(hi-lo))
		}
	}
	return v.gain[:rows*k]
}

// backward propagates dOut through the last forward into the gradient
// (already cleared by Net.Backward).
func (v *netV2[T]) backward() {
	rows := v.nb * v.nt
	f, c, cb, k := v.a.Features, v.a.Channels, v.a.Channels/2, v.a.Bins
	const ic = enhancer.V2InputChannels
	cv := v.cv
	clear(v.do)
	for r := 0; r < rows; r++ {
		do := v.do[r*f : (r+1)*f]
		for i, dl := range v.dOut[r*k : (r+1)*k] {
			do[v.lo[i]] += (1 - v.w[i]) * dl
			do[v.hi[i]] += v.w[i] * dl
		}
	}
	clear(v.dio)
	cv[7].backward(v.do, v.dio, rows)
	clear(v.dt1)
	ow := c + 2*ic
	for r := 0; r < rows; r++ {
		for q := 0; q < f; q++ {
			src := v.dio[(r*f+q)*ow : (r*f+q)*ow+c]
			dst := v.dt1[(r*f/2+q/2)*c : (r*f/2+q/2+1)*c]
			for j, x := range src {
				dst[j] += x
			}
		}
	}
	dleakyAll(v.dt1, v.t1)
	clear(v.d1)
	cv[6].backward(v.dt1, v.d1, rows)
	clear(v.dt2)
	upAddBack(v.dt2, v.de1, v.d1, rows, f/2, c)
	dleakyAll(v.dt2, v.t2)
	clear(v.d2)
	cv[5].backward(v.dt2, v.d2, rows)
	clear(v.dt3)
	upAddBack(v.dt3, v.de2, v.d2, rows, f/4, c)
	dleakyAll(v.dt3, v.t3)
	clear(v.d3)
	cv[4].backward(v.dt3, v.d3, rows)
	p3 := f / 8
	d := v.core.gain // the core's sigmoid outputs
	dOutCore := v.core.DOut()
	for r := 0; r < rows*p3; r++ {
		row := v.d3[r*(cb+c) : (r+1)*(cb+c)]
		for j := 0; j < cb; j++ {
			y := d[r*cb+j]
			dOutCore[r*cb+j] = row[j] * y * (1 - y)
		}
		copy(v.de3[r*c:(r+1)*c], row[cb:])
	}
	v.core.dFeat = v.dz
	v.core.Backward()
	dtanhAll(v.dz, v.z)
	cv[3].backward(v.dz, v.de3, rows)
	dleakyAll(v.de3, v.e3)
	cv[2].backward(v.de3, v.de2, rows)
	dleakyAll(v.de2, v.e2)
	cv[1].backward(v.de2, v.de1, rows)
	dleakyAll(v.de1, v.e1)
	cv[0].backward(v.de1, nil, rows)
}

// analyzeFor is Analyze for architecture a: for a v2 graph the features
// become the network input V2Input of each frame ([T, 3F]).
func analyzeFor(a enhancer.Arch, noisy, clean []float32, c float64) Spectra {
	sp := Analyze(noisy, clean, a.Features, a.Lookahead, c)
	if a.Graph != enhancer.GraphV2 {
		return sp
	}
	cfg := a.STFT()
	an, _ := dsp.NewAnalyzer(cfg)
	centres, _ := a.V2BandCentres()
	scale := enhancer.V2Scale(cfg)
	f, n := a.Features, a.InputSize()
	in := make([]float32, sp.Frames*n)
	for t := 0; t < sp.Frames; t++ {
		x := an.Frame(noisy[t*cfg.Hop : (t+1)*cfg.Hop])
		enhancer.V2Input(in[t*n:(t+1)*n], sp.Feat[t*f:(t+1)*f], x, centres, scale)
	}
	sp.Feat = in
	return sp
}
