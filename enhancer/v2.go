package enhancer

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/internal/fastmath"
)

// GraphV2 names the second model graph (Arch.Graph): a convolutional
// encoder with weights shared along frequency, the v1 recurrent core, and a
// convolutional decoder with skip connections back to per-band gains
// (docs/DESIGN.md, "Model v2"). The empty Graph is v1.
const GraphV2 = "v2"

// V2InputChannels is the number of input values per band and frame of a v2
// model: the ERB feature f_b and the real and imaginary parts of the
// compressed spectrum at the band's centre bin.
const V2InputChannels = 3

// v2Compress is the exponent c of the compressed spectrum X̃ = X̂·|X̂|^(c−1).
const v2Compress = 0.3

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

// V2Convs returns the convolutions of a v2 architecture in file order:
// the encoder enc1 … enc4 and the decoder dec3, dec2, dec1 and out.
// With F bands, C channels and C/2 bottleneck channels:
//
//	enc1: 2·3 → C, kernel 5, stride 2, F → F/2 positions (frames t and t−1)
//	enc2: C → C, kernel 3, stride 2, F/2 → F/4
//	enc3: C → C, kernel 3, stride 2, F/4 → F/8
//	enc4: C → C/2, kernel 1, F/8 (flattened: the core's F/8·C/2 inputs)
//	dec3: C/2 + C → C, kernel 3, F/8   (core output ++ enc3 skip)
//	dec2: C → C, kernel 3, F/4         (upsampled dec3 + enc2 skip)
//	dec1: C → C, kernel 3, F/2         (upsampled dec2 + enc1 skip)
//	out:  C + 2·3 → 1, kernel 3, F     (upsampled dec1 ++ the input)
func (a Arch) V2Convs() []Conv {
	f, c, cb, ci := a.Features, a.Channels, a.Channels/2, 2*V2InputChannels
	return []Conv{
		{"enc1", ci, c, 5, 2, f},
		{"enc2", c, c, 3, 2, f / 2},
		{"enc3", c, c, 3, 2, f / 4},
		{"enc4", c, cb, 1, 1, f / 8},
		{"dec3", cb + c, c, 3, 1, f / 8},
		{"dec2", c, c, 3, 1, f / 4},
		{"dec1", c, c, 3, 1, f / 2},
		{"out", c + ci, 1, 3, 1, f},
	}
}

// V2Core returns the recurrent core of a v2 architecture as a v1
// architecture: F/8·C/2 inputs (the flattened enc4 output) → dense H (tanh)
// → GhostGRU/GRU ×L → dense F/8·C/2 → sigmoid, no skip, and no framing of
// its own (its "bins" are not an STFT's, so it passes validateSizes, not
// Validate).
func (a Arch) V2Core() Arch {
	n := a.Features / 8 * (a.Channels / 2)
	return Arch{Kind: a.Kind, Features: n, Hidden: a.Hidden, Layers: a.Layers, Ratio: a.Ratio, Bins: n, GhostAct: a.GhostAct}
}

// InputSize returns the network's input values per frame: F for v1, 3F for v2.
func (a Arch) InputSize() int {
	if a.Graph == GraphV2 {
		return V2InputChannels * a.Features
	}
	return a.Features
}

// validateV2 checks the v2-specific sizes.
func (a Arch) validateV2() error {
	switch {
	case a.Features%8 != 0 || a.Features < 8:
		return fmt.Errorf("v2: %d bands must be a positive multiple of 8", a.Features)
	case a.Channels < 2 || a.Channels%2 != 0 || a.Channels > 1024:
		return fmt.Errorf("v2: %d channels must be even, 2 … 1024", a.Channels)
	case a.Skip != 0:
		return fmt.Errorf("v2 has no feature skip (skip %d)", a.Skip)
	case a.Bins < 2:
		return fmt.Errorf("v2: %d bins", a.Bins)
	}
	return a.V2Core().validateSizes()
}

// tensorsV2 lists the v2 tensors: the convolutions' weight and bias around
// the core's tensors, which carry the prefix "core.".
func (a Arch) tensorsV2() []TensorSpec {
	cv := a.V2Convs()
	var ts []TensorSpec
	add := func(c Conv) {
		ts = append(ts, TensorSpec{c.Name + ".weight", []int{c.Out, c.Kernel * c.In}}, TensorSpec{c.Name + ".bias", []int{c.Out}})
	}
	for _, c := range cv[:4] {
		add(c)
	}
	for _, t := range a.V2Core().Tensors() {
		ts = append(ts, TensorSpec{"core." + t.Name, t.Shape})
	}
	for _, c := range cv[4:] {
		add(c)
	}
	return ts
}

// macsV2 counts a v2 frame's multiply-accumulates: every convolution's
// MACs, the core's, and two per bin for the band-to-bin interpolation.
func (a Arch) macsV2() int {
	n := a.V2Core().MACsPerFrame() + 2*a.Bins
	for _, c := range a.V2Convs() {
		n += c.MACs()
	}
	return n
}

// initV2 draws every weight and bias uniformly in ±1/√fan_in (fan_in =
// Kernel·In for a convolution, as PyTorch's Conv1d), the core as v1.
func (m *Model) initV2(rng *rand.Rand) {
	for _, c := range m.Arch.V2Convs() {
		bound := 1 / math.Sqrt(float64(c.Kernel*c.In))
		for _, name := range []string{c.Name + ".weight", c.Name + ".bias"} {
			w := m.Weights[name]
			for i := range w {
				w[i] = float32((2*rng.Float64() - 1) * bound)
			}
		}
	}
	core := m.v2CoreModel()
	core.InitRandom(rng)
}

// v2CoreModel returns the core of a v2 model as a v1 Model sharing m's
// weight slices.
func (m *Model) v2CoreModel() *Model {
	c := &Model{Arch: m.Arch.V2Core(), GainFloor: m.GainFloor, Meta: m.Meta, Weights: map[string][]float32{}}
	for _, t := range c.Arch.Tensors() {
		c.Weights[t.Name] = m.Weights["core."+t.Name]
	}
	return c
}

// V2BandCentres returns the centre bin of each of the F ERB bands of the
// model's framing (dsp.ERBBands).
func (a Arch) V2BandCentres() ([]int, error) {
	bands, err := dsp.ERBBands(a.STFT(), a.Features)
	if err != nil {
		return nil, err
	}
	c := make([]int, len(bands))
	for b, bd := range bands {
		c[b] = bd.Centre()
	}
	return c, nil
}

// V2Interp returns, for every bin k, the two bands (lo, hi) and the weight w
// of the linear interpolation of band values v to bins,
// v_k = (1 − w)·v_lo + w·v_hi: between the centres of neighbouring bands,
// constant below the first centre and above the last.
func (a Arch) V2Interp() (lo, hi []int, w []float64, err error) {
	c, err := a.V2BandCentres()
	if err != nil {
		return nil, nil, nil, err
	}
	lo, hi, w = make([]int, a.Bins), make([]int, a.Bins), make([]float64, a.Bins)
	b := 0
	for k := range lo {
		for b+1 < len(c) && c[b+1] <= k {
			b++
		}
		switch {
		case k <= c[0]:
			lo[k], hi[k] = 0, 0
		case b == len(c)-1:
			lo[k], hi[k] = b, b
		default:
			lo[k], hi[k], w[k] = b, b+1, float64(k-c[b])/float64(c[b+1]-c[b])
		}
	}
	return lo, hi, w, nil
}

// V2Input writes the v2 input of one frame to dst ([F, 3], band-major) from
// the ERB features feat (length F) and the spectrum x:
//
//	dst[b] = (f_b, Re X̃_c, Im X̃_c),  c the centre bin of band b,
//	X̃ = X̂·|X̂|^(0.3−1),  X̂ = X·2/Σ_n w[n]
//
// (|X̂|² is the featurizer's power P_k, so a full-scale sine has |X̃| ≈ 1;
// X̃ = 0 where X = 0). centres are V2BandCentres; scale is (2/Σw)².
func V2Input(dst, feat []float32, x []complex128, centres []int, scale float64) {
	for b, c := range centres {
		v := x[c]
		p := (real(v)*real(v) + imag(v)*imag(v)) * scale
		var g float64
		if p > 0 {
			g = math.Sqrt(scale) * fastmath.Exp((v2Compress-1)/2*fastmath.Log(p))
		}
		d := dst[b*V2InputChannels : (b+1)*V2InputChannels : (b+1)*V2InputChannels]
		d[0], d[1], d[2] = feat[b], float32(g*real(v)), float32(g*imag(v))
	}
}

// V2Scale returns (2/Σ_n w[n])² for the framing cfg, V2Input's scale.
func V2Scale(cfg dsp.Config) float64 {
	sw := 0.0
	for _, v := range dsp.Window(cfg.Window) {
		sw += v
	}
	return 4 / (sw * sw)
}

// V2Arch is the v2 GhostRNN: 128 bands × 3 inputs, C = 16 channels, the
// GhostGRU(128, r = 2) ×2 core, one frame of look-ahead.
var V2Arch = Arch{Kind: KindGhost, Features: 128, Hidden: 128, Layers: 2, Ratio: 2, Bins: DefaultFraming.STFT().Bins(), GhostAct: "tanh", Framing: DefaultFraming, Graph: GraphV2, Channels: 16}

// V2TwinArch is V2Arch with a plain GRU(128) ×2 core.
var V2TwinArch = Arch{Kind: KindGRU, Features: 128, Hidden: 128, Layers: 2, Ratio: 1, Bins: DefaultFraming.STFT().Bins(), GhostAct: "tanh", Framing: DefaultFraming, Graph: GraphV2, Channels: 16}
