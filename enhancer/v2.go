package enhancer

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/internal/fastmath"
)

// GraphV2 names the second model graph (Arch.Graph): the whole v1 graph
// (ERB features → dense → GhostGRU/GRU ×L → dense per bin + feature skip)
// followed by a per-bin head, convolutions over frequency with weights
// shared by every bin, that reads each bin's own neighbourhood of the
// spectrum (level and phase advance over three frames) together with the v1
// logit and corrects that logit (docs/DESIGN.md, "Model v2"). The empty
// Graph is v1.
const GraphV2 = "v2"

// V2BinChannels is the number of per-bin input values of one frame of a v2
// model (V2BinInput): the bin's normalised level ℓ_k and the cosine and sine
// of its demodulated phase advance since the previous frame.
const V2BinChannels = 3

// V2HeadInputs is the number of input channels per bin of the head's first
// convolution: the v1 logit, ℓ_k of frames t, t−1, t−2, and the phase
// advance (cos, sin) of frames t and t−1.
const V2HeadInputs = 8

// V2LeakySlope is the slope below zero of the head's leaky ReLU.
const V2LeakySlope = 0.1

// V2DFOrder is the number of taps of the deep filter: frames t (the
// look-ahead frame), t−1 (the frame the output is for) and t−2.
const V2DFOrder = 3

// V2DFOutputs is the number of head3 output channels per bin with a deep
// filter: the logit correction and V2DFOrder complex coefficients.
const V2DFOutputs = 1 + 2*V2DFOrder

// Conv is one 1-D convolution over frequency: Out channels at Pos/Stride
// positions from In channels at Pos positions, kernel Kernel, zero padding
// (Kernel−1)/2 on either side. Its weight is [Out, Kernel·In] with column
// j·In + i for kernel tap j and input channel i (PyTorch's Conv1d weight is
// [Out, In, Kernel]; this is its transpose over the last two axes), so that
//
//	y[p, o] = b[o] + Σ_{j<Kernel} Σ_{i<In} W[o, j·In+i] · x[p·Stride + j − pad, i]
//
// with x zero outside 0 … Pos−1 and activations stored position-major
// ([position, channel], channels contiguous).
type Conv struct {
	Name                         string
	In, Out, Kernel, Stride, Pos int
}

// OutPos returns the number of output positions, Pos/Stride.
func (c Conv) OutPos() int { return c.Pos / c.Stride }

// Pad returns the zero padding on either side, (Kernel−1)/2.
func (c Conv) Pad() int { return (c.Kernel - 1) / 2 }

// MACs returns the multiply-accumulates of one frame: OutPos·Out·Kernel·In.
func (c Conv) MACs() int { return c.OutPos() * c.Out * c.Kernel * c.In }

// V2Convs returns the head's convolutions over the K bins, in file order,
// with C = Arch.Channels:
//
//	head1: 8 → C, kernel 5   (leaky ReLU)
//	head2: C → C, kernel 3   (leaky ReLU)
//	head3: C → 1, kernel 3   (the logit correction; with a deep filter
//	       C → 7: the correction and the filter's raw coefficients, V2DF)
//
// so each bin's correction sees ±4 bins (±200 Hz at 50 Hz per bin).
func (a Arch) V2Convs() []Conv {
	k, c := a.Bins, a.Channels
	return []Conv{
		{"head1", V2HeadInputs, c, 5, 1, k},
		{"head2", c, c, 3, 1, k},
		{"head3", c, a.HeadOutputs(), 3, 1, k},
	}
}

// HeadOutputs returns head3's output channels: 1, or V2DFOutputs with a
// deep filter.
func (a Arch) HeadOutputs() int {
	if a.DF > 0 {
		return V2DFOutputs
	}
	return 1
}

// V1 returns the v1 part of a v2 architecture (the architecture itself for
// v1): the same sizes without the head.
func (a Arch) V1() Arch {
	a.Graph, a.Channels, a.DF = "", 0, 0
	return a
}

// InputSize returns the network's input values per frame: F for v1; for v2
// F features followed by the K·3 per-bin values of V2BinInput.
func (a Arch) InputSize() int {
	if a.Graph == GraphV2 {
		return a.Features + V2BinChannels*a.Bins
	}
	return a.Features
}

// validateV2 checks the v2-specific sizes.
func (a Arch) validateV2() error {
	if a.Channels < 1 || a.Channels > 256 {
		return fmt.Errorf("v2: %d head channels must be 1 … 256", a.Channels)
	}
	if a.DF < 0 || a.DF > a.Bins {
		return fmt.Errorf("v2: deep filter over %d bins (the model has %d)", a.DF, a.Bins)
	}
	if a.DF > 0 && a.Lookahead != 1 {
		return fmt.Errorf("v2: the deep filter's taps t, t−1, t−2 need look-ahead 1 (not %d)", a.Lookahead)
	}
	if a.Window != 2*a.Hop {
		return fmt.Errorf("v2: the phase advance assumes hop = window/2 (window %d, hop %d)", a.Window, a.Hop)
	}
	return nil
}

// tensorsV2 lists the v2 tensors: v1's, then the head's weight and bias.
func (a Arch) tensorsV2() []TensorSpec {
	ts := a.V1().Tensors()
	for _, c := range a.V2Convs() {
		ts = append(ts, TensorSpec{c.Name + ".weight", []int{c.Out, c.Kernel * c.In}}, TensorSpec{c.Name + ".bias", []int{c.Out}})
	}
	return ts
}

// macsV2 counts a v2 frame's multiply-accumulates: v1's, every head
// convolution's, and 4 real per complex tap of the deep filter.
func (a Arch) macsV2() int {
	n := a.V1().MACsPerFrame() + 4*V2DFOrder*a.DF
	for _, c := range a.V2Convs() {
		n += c.MACs()
	}
	return n
}

// initV2 initialises the v1 part as v1 does and the head's first two
// convolutions uniformly in ±1/√fan_in (fan_in = Kernel·In, as PyTorch's
// Conv1d); head3 starts at zero, so a fresh head leaves the v1 logits as
// they are.
func (m *Model) initV2(rng *rand.Rand) {
	m.v1View().InitRandom(rng)
	for _, c := range m.Arch.V2Convs() {
		bound := 1 / math.Sqrt(float64(c.Kernel*c.In))
		if c.Name == "head3" {
			bound = 0
		}
		for _, name := range []string{c.Name + ".weight", c.Name + ".bias"} {
			w := m.Weights[name]
			for i := range w {
				w[i] = float32((2*rng.Float64() - 1) * bound)
			}
		}
	}
}

// v1View returns the v1 part of m as a v1 Model sharing m's weight slices
// (m itself for a v1 model).
func (m *Model) v1View() *Model {
	if m.Arch.Graph == "" {
		return m
	}
	c := &Model{Arch: m.Arch.V1(), GainFloor: m.GainFloor, Meta: m.Meta, Weights: map[string][]float32{}}
	for _, t := range c.Arch.Tensors() {
		c.Weights[t.Name] = m.Weights[t.Name]
	}
	return c
}

// WithHead returns a v2 model of arch a (a.V1() must be v1's architecture)
// whose v1 part is a copy of v1's weights and whose head is initialised as
// a fresh v2 model's (head3 zero), so that it computes exactly v1's gains
// until trained: the start of a v2 training run from a trained v1 model.
func WithHead(v1 *Model, a Arch, rng *rand.Rand) (*Model, error) {
	if a.Graph != GraphV2 || a.V1() != v1.Arch {
		return nil, fmt.Errorf("a %s model of graph %q cannot start the v2 model %s", v1.Arch.Kind, v1.Arch.Graph, a.Kind)
	}
	m, err := NewModel(a)
	if err != nil {
		return nil, err
	}
	m.GainFloor, m.Meta = v1.GainFloor, map[string]string{}
	m.InitRandom(rng)
	for name, w := range v1.Weights {
		copy(m.Weights[name], w)
	}
	return m, nil
}

// V2BinBands returns, for every bin k, the ERB band b(k) whose centre is
// nearest (SkipIndex's map with w = 0).
func (a Arch) V2BinBands() []int {
	a.Skip = 0
	return a.SkipIndex()
}

// V2BinInput writes the per-bin input of one frame to dst ([K, 3]) from the
// spectrum x of the frame, the previous frame's spectrum prev, and the frame's
// ERB features feat (f_b) and band levels lev (L_b, dB; dsp.Featurizer):
//
//	ℓ_k = f_b + (10 log10(P_k + 10⁻¹⁰) − L_b)/40,  b = band[k],  P_k = scale·|X_k|²
//	φ_k = ∠(X_k · conj(prev_k) · (−1)^k),   dst[k] = (ℓ_k, cos φ_k, sin φ_k)
//
// ℓ_k is the bin's level on the features' scale, (10 log10 P_k − μ_b)/40
// with the band's running mean μ_b = L_b − 40 f_b; φ_k is the phase advance
// over one hop of H = N/2 samples less that of a sinusoid at the bin's
// centre frequency (πk): for a steady partial at f dominating the bin,
// φ_k = π(f − f_k)/Δf (Δf the bin spacing, 50 Hz), its offset from the bin's
// centre, the same at any bin and sample rate; noise gives a random φ.
// (cos, sin) = (0, 0) where X_k or prev_k is zero. scale is V2Scale; tmp
// (length ≥ K) is scratch space for the logarithms, taken all at once.
func V2BinInput(dst, feat []float32, lev []float64, x, prev []complex128, band []int, scale float64, tmp []float64) {
	p := tmp[:len(band)]
	for k := range p {
		v := x[k]
		p[k] = (real(v)*real(v)+imag(v)*imag(v))*scale + 1e-10
	}
	fastmath.LogVec(p, p)
	for k, b := range band {
		v, u := x[k], prev[k]
		d := v * complex(real(u), -imag(u))
		if k&1 == 1 {
			d = -d
		}
		m := math.Sqrt(real(d)*real(d) + imag(d)*imag(d))
		o := dst[k*V2BinChannels : (k+1)*V2BinChannels : (k+1)*V2BinChannels]
		o[0] = feat[b] + float32((10*math.Log10E*p[k]-lev[b])/40)
		if m > 0 {
			o[1], o[2] = float32(real(d)/m), float32(imag(d)/m)
		} else {
			o[1], o[2] = 0, 0
		}
	}
}

// V2HeadInput writes the head's input of one frame ([K, 8]) from the v1
// logits l (length K) and the per-bin inputs of frames t, t−1 and t−2
// (V2BinInput's layout; zero before the stream starts):
//
//	in[k] = (l_k, ℓ_k(t), ℓ_k(t−1), ℓ_k(t−2), cos φ_k(t), sin φ_k(t), cos φ_k(t−1), sin φ_k(t−1))
func V2HeadInput[T ~float32 | ~float64](in, l, b0, b1, b2 []T) {
	for k, lv := range l {
		o := in[k*V2HeadInputs : (k+1)*V2HeadInputs : (k+1)*V2HeadInputs]
		c0 := b0[k*V2BinChannels : (k+1)*V2BinChannels : (k+1)*V2BinChannels]
		c1 := b1[k*V2BinChannels : (k+1)*V2BinChannels : (k+1)*V2BinChannels]
		o[0], o[1], o[2], o[3] = lv, c0[0], c1[0], b2[k*V2BinChannels]
		o[4], o[5], o[6], o[7] = c0[1], c0[2], c1[1], c1[2]
	}
}

// V2Scale returns (2/Σ_n w[n])² for the framing cfg, V2BinInput's scale
// (so P_k is the featurizer's power: a full-scale sine reads ≈ 1).
func V2Scale(cfg dsp.Config) float64 {
	sw := 0.0
	for _, v := range dsp.Window(cfg.Window) {
		sw += v
	}
	return 4 / (sw * sw)
}

// V2Arch is the v2 GhostRNN: DefaultArch with a head of C = 12 channels.
var V2Arch = withHead(DefaultArch, 12)

// V2TwinArch is V2Arch with a plain GRU(128) ×2 core.
var V2TwinArch = withHead(TwinArch, 12)

func withHead(a Arch, c int) Arch {
	a.Graph, a.Channels = GraphV2, c
	return a
}

// V2DF adds the deep filter's term of bins 0 … DF−1 (DF = len(c)/6), times
// w, to y, the output spectrum of frame t−1:
//
//	Y_k = G_k·X_k(t−1) + Σ_{i<3} c_{k,i}·Z_{k,i},
//	Z_{k,0} = (−1)^k X_k(t),  Z_{k,1} = X_k(t−1),  Z_{k,2} = (−1)^k X_k(t−2)
//
// from the coefficients c ([DF, 3] complex as (re, im) pairs, tanh-bounded:
// |Re|, |Im| < 1) and the spectra of frames t (x0), t−1 (x1) and t−2 (x2);
// the gain term G_k·X_k(t−1) is the caller's. The (−1)^k aligns the taps'
// phase with frame t−1 for a partial at the bin's centre, as V2BinInput's φ.
func V2DF(y []complex128, w float64, c []float32, x0, x1, x2 []complex128) {
	for k := range len(c) / (2 * V2DFOrder) {
		cc := c[k*2*V2DFOrder : (k+1)*2*V2DFOrder : (k+1)*2*V2DFOrder]
		z0, z2 := x0[k], x2[k]
		if k&1 == 1 {
			z0, z2 = -z0, -z2
		}
		y[k] += complex(w, 0) * (complex(float64(cc[0]), float64(cc[1]))*z0 +
			complex(float64(cc[2]), float64(cc[3]))*x1[k] + complex(float64(cc[4]), float64(cc[5]))*z2)
	}
}
