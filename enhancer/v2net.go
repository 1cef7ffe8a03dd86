package enhancer

import (
	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/internal/fastmath"
	"github.com/ghostrnn/ghostrnn/internal/vec32"
)

// convRun is a Conv with its weights, prepared for vec32.Conv (transposed
// once, at load), and a zero-padded input buffer.
type convRun struct {
	Conv
	k   vec32.Conv
	pad []float32 // [(Pos + 2·Pad())·In]; the edges stay zero
}

func newConvRun(c Conv, w map[string][]float32) convRun {
	return convRun{
		Conv: c,
		k:    vec32.NewConv(w[c.Name+".weight"], w[c.Name+".bias"], c.In, c.Out, c.Kernel, c.Stride),
		pad:  make([]float32, (c.Pos+2*c.Pad())*c.In),
	}
}

// input returns the interior of the padded buffer, [Pos, In], which the
// caller fills before forward.
func (c *convRun) input() []float32 {
	o := c.Pad() * c.In
	return c.pad[o : o+c.Pos*c.In]
}

// forward writes the convolution of input() to y, [OutPos, Out], through
// the activation x ↦ x for x ≥ 0, slope·x otherwise (slope 1: none): each
// output position is the matrix–vector product of the weight with the
// contiguous window of Kernel·In padded values from position p·Stride.
func (c *convRun) forward(y []float32, slope float32) {
	c.k.Forward(y[:c.OutPos()*c.Out], c.pad, slope)
}

// netV2 runs a v2 model one frame at a time: the v1 net's logits, then the
// head (see v2.go and docs/DESIGN.md). It allocates nothing per frame.
type netV2 struct {
	a     Arch
	v1    *Net
	head  [3]convRun
	bins  [3][]float32 // per-bin inputs of frames t, t−1, t−2 (ring, bins[pos] newest)
	pos   int
	prev  []complex128 // the previous frame's spectrum, bins 0 … K−1
	band  []int
	lev   []float64 // the featurizer's band levels of this frame (set by the engine)
	scale float64
	tmp   []float64 // [K] scratch of V2BinInput
	logit []float32 // [K]
	o     []float32 // [K, HeadOutputs]
	df    []float32 // [DF, 3] complex deep-filter coefficients (re, im), nil without
}

func newNetV2(m *Model) (*netV2, error) {
	a := m.Arch
	v1, err := newNetV1(m.v1View())
	if err != nil {
		return nil, err
	}
	k := a.Bins
	n := &netV2{
		a: a, v1: v1, prev: make([]complex128, k), band: a.V2BinBands(), scale: V2Scale(a.STFT()),
		logit: make([]float32, k), tmp: make([]float64, k), o: make([]float32, k*a.HeadOutputs()),
	}
	if a.DF > 0 {
		n.df = make([]float32, a.DF*2*V2DFOrder)
	}
	for i := range n.bins {
		n.bins[i] = make([]float32, k*V2BinChannels)
	}
	for i, cv := range a.V2Convs() {
		n.head[i] = newConvRun(cv, m.Weights)
	}
	return n, nil
}

func (n *netV2) reset() {
	n.v1.Reset()
	for _, b := range n.bins {
		clear(b)
	}
	clear(n.prev)
	n.pos = 0
}

// forwardSpec computes the gains of one frame from its features feat and
// spectrum x (bins 0 … K−1 are read); the featurizer's levels of the same
// frame must be in n.lev.
func (n *netV2) forwardSpec(gain, feat []float32, x []complex128) {
	k := n.a.Bins
	b0, b1, b2 := n.advance()
	V2BinInput(b0, feat, n.lev, x, n.prev, n.band, n.scale, n.tmp)
	copy(n.prev, x[:k])
	n.forward(gain, feat, b0, b1, b2)
}

// advance turns the ring of per-bin inputs by one frame and returns the
// slots of frames t (the oldest slot, for the caller to fill), t−1 and t−2.
func (n *netV2) advance() (b0, b1, b2 []float32) {
	n.pos = (n.pos + 2) % 3
	return n.bins[n.pos], n.bins[(n.pos+1)%3], n.bins[(n.pos+2)%3]
}

// forward runs the graph on the features and the per-bin inputs of frames
// t, t−1 and t−2.
func (n *netV2) forward(gain, feat, b0, b1, b2 []float32) {
	n.v1.logits(n.logit, feat)
	V2HeadInput(n.head[0].input(), n.logit, b0, b1, b2)
	n.head[0].forward(n.head[1].input(), V2LeakySlope)
	n.head[1].forward(n.head[2].input(), V2LeakySlope)
	n.head[2].forward(n.o, 1)
	g := gain[:n.a.Bins]
	if n.df == nil {
		for i, v := range n.o {
			g[i] = n.logit[i] + v
		}
	} else {
		const w = V2DFOutputs
		for i := range g {
			g[i] = n.logit[i] + n.o[i*w]
		}
		for i := range n.a.DF {
			fastmath.TanhVec(n.df[i*(w-1):(i+1)*(w-1)], n.o[i*w+1:(i+1)*w])
		}
	}
	fastmath.SigmoidVec(g, g)
}

// atSTFT tells a v2 net the STFT of the engine that feeds it and the band
// levels of its featurizer (at a rate other than the model's the window is
// longer, and V2BinInput's scale (2/Σw)² follows it, so the input reads the
// same for the same sound).
func (n *Net) atSTFT(cfg dsp.Config, f *dsp.Featurizer) {
	if n.v2 != nil {
		n.v2.scale = V2Scale(cfg)
		n.v2.lev = f.Levels()
	}
}

// DF returns the deep-filter coefficients of the last frame, [DF, 3]
// complex as (re, im) pairs (enhancer.V2DF), or nil for a model without a
// deep filter. The slice is owned by the net.
func (n *Net) DF() []float32 {
	if n.v2 == nil {
		return nil
	}
	return n.v2.df
}
