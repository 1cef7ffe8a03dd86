package enhancer

import (
	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/internal/fastmath"
	"github.com/ghostrnn/ghostrnn/internal/vec32"
)

// convRun is a Conv with its weights and a zero-padded input buffer.
type convRun struct {
	Conv
	w, b []float32 // [Out, Kernel·In], [Out]
	pad  []float32 // [(Pos + 2·Pad())·In]; the edges stay zero
}

func newConvRun(c Conv, w map[string][]float32) convRun {
	return convRun{Conv: c, w: w[c.Name+".weight"], b: w[c.Name+".bias"], pad: make([]float32, (c.Pos+2*c.Pad())*c.In)}
}

// input returns the interior of the padded buffer, [Pos, In], which the
// caller fills before forward.
func (c *convRun) input() []float32 {
	o := c.Pad() * c.In
	return c.pad[o : o+c.Pos*c.In]
}

// forward writes the convolution of input() to y, [OutPos, Out]: each
// output position is one matrix–vector product over the contiguous window
// of Kernel·In padded values starting at position p·Stride.
func (c *convRun) forward(y []float32) {
	kin, step := c.Kernel*c.In, c.Stride*c.In
	for p := 0; p < c.OutPos(); p++ {
		yy := y[p*c.Out : (p+1)*c.Out]
		copy(yy, c.b)
		vec32.MulVecAdd(yy, c.w, c.pad[p*step:p*step+kin])
	}
}

// netV2 runs a v2 model one frame at a time (see v2.go and docs/DESIGN.md).
// It allocates nothing per frame.
type netV2 struct {
	a          Arch
	enc        [4]convRun // enc1 … enc4
	dec        [4]convRun // dec3, dec2, dec1, out
	core       *Net
	cur, prev  []float32 // this and the previous frame's input, [F, 3]
	z, d       []float32 // core input and output, [F/8, C/2]
	t3, t2, t1 []float32 // dec3, dec2, dec1 outputs
	o          []float32 // band logits [F]
	lo, hi     []int     // band-to-bin interpolation
	w          []float32
	centres    []int
	scale      float64
}

func newNetV2(m *Model) (*netV2, error) {
	a := m.Arch
	core, err := newNetV1(m.v2CoreModel())
	if err != nil {
		return nil, err
	}
	lo, hi, w, err := a.V2Interp()
	if err != nil {
		return nil, err
	}
	centres, _ := a.V2BandCentres()
	f, c, cb := a.Features, a.Channels, a.Channels/2
	n := &netV2{
		a: a, core: core,
		cur: make([]float32, f*V2InputChannels), prev: make([]float32, f*V2InputChannels),
		z: make([]float32, f/8*cb), d: make([]float32, f/8*cb),
		t3: make([]float32, f/8*c), t2: make([]float32, f/4*c), t1: make([]float32, f/2*c),
		o: make([]float32, f), lo: lo, hi: hi, w: make([]float32, len(w)),
		centres: centres, scale: V2Scale(a.STFT()),
	}
	for i, v := range w {
		n.w[i] = float32(v)
	}
	cv := a.V2Convs()
	for i := range n.enc {
		n.enc[i] = newConvRun(cv[i], m.Weights)
		n.dec[i] = newConvRun(cv[4+i], m.Weights)
	}
	return n, nil
}

func (n *netV2) reset() {
	n.core.Reset()
	clear(n.prev)
}

// forwardSpec computes the input of the frame from the features and the
// spectrum x (V2Input), then the gains.
func (n *netV2) forwardSpec(gain, feat []float32, x []complex128) {
	V2Input(n.cur, feat, x, n.centres, n.scale)
	n.forward(gain, n.cur)
}

// forward computes the gains (length K) of one frame from its input in
// ([F, 3], V2Input's layout); the previous frame's input is kept.
func (n *netV2) forward(gain, in []float32) {
	const ic = V2InputChannels
	c, cb := n.a.Channels, n.a.Channels/2
	x := n.enc[0].input() // [F, 6]: this frame's 3 channels, then the previous frame's
	for p := range n.a.Features {
		copy(x[p*2*ic:p*2*ic+ic], in[p*ic:(p+1)*ic])
		copy(x[p*2*ic+ic:(p+1)*2*ic], n.prev[p*ic:(p+1)*ic])
	}
	copy(n.prev, in)
	e1, e2, e3 := n.enc[1].input(), n.enc[2].input(), n.enc[3].input()
	for i, y := range [][]float32{e1, e2, e3} {
		n.enc[i].forward(y)
		leakyVec(y)
	}
	n.enc[3].forward(n.z)
	fastmath.TanhVec(n.z, n.z)
	n.core.Forward(n.d, n.z)
	// dec3 reads the core output and the enc3 skip side by side
	in3 := n.dec[0].input()
	for p := 0; p < n.a.Features/8; p++ {
		row := in3[p*(cb+c) : (p+1)*(cb+c)]
		copy(row[:cb], n.d[p*cb:(p+1)*cb])
		copy(row[cb:], e3[p*c:(p+1)*c])
	}
	n.dec[0].forward(n.t3)
	leakyVec(n.t3)
	// dec2 and dec1 read the upsampled layer below plus the encoder skip
	for i, st := range []struct{ low, skip, out []float32 }{{n.t3, e2, n.t2}, {n.t2, e1, n.t1}} {
		cr := &n.dec[1+i]
		up := cr.input()
		for q := 0; q < cr.Pos; q++ {
			lw := st.low[q/2*c : q/2*c+c]
			sk := st.skip[q*c : q*c+c]
			u := up[q*c : q*c+c]
			for j := range u {
				u[j] = lw[j] + sk[j]
			}
		}
		cr.forward(st.out)
		leakyVec(st.out)
	}
	// out reads the upsampled dec1 output and the input side by side
	ow := c + 2*ic
	io := n.dec[3].input()
	for q := range n.a.Features {
		copy(io[q*ow:q*ow+c], n.t1[q/2*c:q/2*c+c])
		copy(io[q*ow+c:(q+1)*ow], x[q*2*ic:(q+1)*2*ic])
	}
	n.dec[3].forward(n.o)
	for k := range gain[:n.a.Bins] {
		lo, hi := n.o[n.lo[k]], n.o[n.hi[k]]
		gain[k] = lo + n.w[k]*(hi-lo)
	}
	fastmath.SigmoidVec(gain, gain)
}

// V2LeakySlope is the slope below zero of the convolutions' leaky ReLU.
const V2LeakySlope = 0.1

// leakyVec applies the leaky ReLU in place: x ← x if x > 0, else 0.1·x.
func leakyVec(x []float32) {
	for i, v := range x {
		if v < 0 {
			x[i] = V2LeakySlope * v
		}
	}
}

// atSTFT tells a v2 net the STFT of the engine that feeds it (at a rate
// other than the model's the window is longer, and V2Input's scale
// (2/Σw)² follows it, so the input reads the same for the same sound).
func (n *Net) atSTFT(cfg dsp.Config) {
	if n.v2 != nil {
		n.v2.scale = V2Scale(cfg)
	}
}
