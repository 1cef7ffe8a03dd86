// Package enhancer holds the GhostRNN mask estimator and the streaming engine
// that applies its spectral gains.
//
// The model (see docs/DESIGN.md) maps F features per frame to K gains:
//
//	a₀ = tanh(W_in f + b_in)                 W_in: [H, F]
//	sₗ = GhostGRUₗ(aₗ₋₁ or sₗ₋₁, state)      L layers, state size H
//	gain = σ(W_out s_L + b_out)              W_out: [K, H]
//
// With a feature skip of half-width w (Arch.Skip), each bin's output also
// reads the features of its nearest ERB band b(k) and the w bands either side,
// in the newest frame t and the D frames before it, back to the frame t − D
// that the gain applies to:
//
//	gain_k = σ((W_out s_L + b_out)_k + Σ_{j=0..D} Σ_{o=−w..w} V[k, j(2w+1)+o+w] f_{t−j}[b(k)+o])
//
// (V: [K, (D+1)(2w+1)], band indices clamped to 0 … F−1, features before the
// first frame zero), a direct path from the spectrum to the gain of each bin
// beside the recurrent one.
//
// A GhostGRU layer computes m = ceil(H/r) intrinsic units with a PyTorch
// nn.GRU cell whose gates read the input and the full previous state
// s = [h; g], and derives the H − m ghost units g = φ(W_g h + b_g).
package enhancer

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/internal/fastmath"
)

// Kinds of recurrent layer.
const (
	KindGhost = "ghostgru" // GhostGRU layers (intrinsic GRU + ghost map)
	KindGRU   = "gru"      // plain GRU layers
)

// Arch describes a model's sizes. The zero value is not valid; see DefaultArch.
type Arch struct {
	Kind     string // KindGhost or KindGRU
	Features int    // F, input features per frame
	Hidden   int    // H, full state size per layer
	Layers   int    // L, recurrent layers
	Ratio    int    // r, H/m; 1 for a plain GRU
	Bins     int    // K, output gains per frame
	GhostAct string // φ of the ghost map: "tanh", "relu" or "identity"
	// Framing is the model's rate, STFT window and hop (Bins = Window/2 + 1)
	// and its D frames of look-ahead: the gains the network computes after
	// reading frame t apply to frame t − D, so the engine delays its output
	// by D hops more than the STFT does. D has no weights of its own but
	// sizes the feature skip.
	Framing
	// Skip is w, the half-width in bands of the feature skip into the output
	// layer (see the package comment); 0: no skip.
	Skip int
	// Graph is "" for the v1 graph above, GraphV2 for the convolutional
	// encoder/decoder around the same recurrent core (see v2.go).
	Graph string
	// Channels is C, the v2 head's width (0 for v1).
	Channels int
	// DF is the number of low bins 0 … DF−1 a v2 model deep-filters
	// (enhancer.V2DFOrder complex taps per bin; 0: none, and always 0 for v1).
	DF int
}

// DefaultArch is the shipped GhostRNN: 128 ERB features → dense 128 →
// GhostGRU(128, r=2) ×2 → dense 161 plus a feature skip of half-width 1, with
// one frame of look-ahead.
var DefaultArch = Arch{Kind: KindGhost, Features: 128, Hidden: 128, Layers: 2, Ratio: 2, Bins: DefaultFraming.STFT().Bins(), GhostAct: "tanh", Framing: DefaultFraming, Skip: 1}

// TwinArch is DefaultArch's plain-GRU twin.
var TwinArch = Arch{Kind: KindGRU, Features: 128, Hidden: 128, Layers: 2, Ratio: 1, Bins: DefaultFraming.STFT().Bins(), GhostAct: "tanh", Framing: DefaultFraming, Skip: 1}

// MaxSkip bounds Arch.Skip, in bands.
const MaxSkip = 8

// MaxLookahead bounds Arch.Lookahead, in frames.
const MaxLookahead = 8

// Intrinsic returns m = ceil(H/r), the number of GRU-computed units per layer.
func (a Arch) Intrinsic() int {
	if a.Kind == KindGRU || a.Ratio <= 1 {
		return a.Hidden
	}
	return (a.Hidden + a.Ratio - 1) / a.Ratio
}

// Validate reports whether the architecture is usable: sizes in range, a
// valid framing (Framing.Validate) and Bins = Window/2 + 1.
func (a Arch) Validate() error {
	if err := a.validateSizes(); err != nil {
		return err
	}
	if err := a.Framing.Validate(); err != nil {
		return err
	}
	if k := a.STFT().Bins(); a.Bins != k {
		return fmt.Errorf("%d gains do not match the %d bins of a %d-sample window", a.Bins, k, a.Window)
	}
	switch {
	case a.Graph == GraphV2:
		return a.validateV2()
	case a.Graph != "":
		return fmt.Errorf("unknown model graph %q (want v1 or %q)", a.Graph, GraphV2)
	case a.Channels != 0 || a.DF != 0:
		return fmt.Errorf("a v1 graph has no head (channels %d, deep filter %d)", a.Channels, a.DF)
	}
	return nil
}

// validateSizes checks the sizes, kinds and activation (everything but
// the framing and the graph).
func (a Arch) validateSizes() error {
	switch {
	case a.Kind != KindGhost && a.Kind != KindGRU:
		return fmt.Errorf("unknown architecture %q (want %q or %q)", a.Kind, KindGhost, KindGRU)
	case a.Features < 1 || a.Hidden < 1 || a.Layers < 1 || a.Bins < 1:
		return fmt.Errorf("architecture sizes must be positive: %+v", a)
	case a.Features > 1<<14 || a.Hidden > 1<<14 || a.Layers > 64 || a.Bins > 1<<14:
		return fmt.Errorf("architecture sizes are absurd: %+v", a)
	case a.Ratio < 1 || a.Ratio > a.Hidden:
		return fmt.Errorf("ratio %d must be in 1..%d", a.Ratio, a.Hidden)
	case a.Kind == KindGRU && a.Ratio != 1:
		return fmt.Errorf("a plain GRU has ratio 1, not %d", a.Ratio)
	case a.Skip < 0 || a.Skip > MaxSkip:
		return fmt.Errorf("feature skip half-width %d must be in 0 … %d", a.Skip, MaxSkip)
	}
	if _, err := activation(a.GhostAct); err != nil {
		return err
	}
	return nil
}

// TensorSpec names one weight tensor and its shape ([out, in] for matrices).
type TensorSpec struct {
	Name  string
	Shape []int
}

// Size returns the number of values in the tensor.
func (t TensorSpec) Size() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Tensors lists every weight tensor of the architecture, in file order.
func (a Arch) Tensors() []TensorSpec {
	if a.Graph == GraphV2 {
		return a.tensorsV2()
	}
	h, m := a.Hidden, a.Intrinsic()
	ts := []TensorSpec{{"in.weight", []int{h, a.Features}}, {"in.bias", []int{h}}}
	for l := 0; l < a.Layers; l++ {
		p := fmt.Sprintf("gru%d.", l)
		ts = append(ts,
			TensorSpec{p + "weight_ih", []int{3 * m, h}},
			TensorSpec{p + "weight_hh", []int{3 * m, h}},
			TensorSpec{p + "bias_ih", []int{3 * m}},
			TensorSpec{p + "bias_hh", []int{3 * m}})
		if m < h {
			ts = append(ts,
				TensorSpec{p + "ghost.weight", []int{h - m, m}},
				TensorSpec{p + "ghost.bias", []int{h - m}})
		}
	}
	ts = append(ts, TensorSpec{"out.weight", []int{a.Bins, h}}, TensorSpec{"out.bias", []int{a.Bins}})
	if a.Skip > 0 {
		ts = append(ts, TensorSpec{"skip.weight", []int{a.Bins, a.SkipTaps()}})
	}
	return ts
}

// SkipTaps returns (D+1)(2w+1), the features each bin's skip reads.
func (a Arch) SkipTaps() int { return (a.Lookahead + 1) * (2*a.Skip + 1) }

// SkipIndex returns, for every bin k and offset o = −w … w, the band
// b(k)+o (clamped to 0 … F−1) that the skip reads, as [K, 2w+1]; b(k) is the
// ERB band (dsp.ERBBands of the model's framing) whose centre is nearest bin
// k, or the proportional band k·F/K where the bands do not fit.
// Training and inference both take the map from here, so they agree for
// any architecture.
func (a Arch) SkipIndex() []int {
	w := 2*a.Skip + 1
	near := make([]int, a.Bins)
	bands, err := dsp.ERBBands(a.STFT(), a.Features)
	if err != nil || a.Bins < 2 || a.Bins != a.STFT().Bins() {
		for k := range near {
			near[k] = min(k*a.Features/a.Bins, a.Features-1)
		}
	} else {
		centre := make([]int, len(bands))
		for b, bd := range bands {
			centre[b] = bd.Centre()
		}
		for k := range near {
			best := 0
			for b, c := range centre {
				if abs(c-k) < abs(centre[best]-k) {
					best = b
				}
			}
			near[k] = best
		}
	}
	idx := make([]int, a.Bins*w)
	for k, b := range near {
		for o := -a.Skip; o <= a.Skip; o++ {
			idx[k*w+o+a.Skip] = min(max(b+o, 0), a.Features-1)
		}
	}
	return idx
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Params returns the number of weights.
func (a Arch) Params() int {
	n := 0
	for _, t := range a.Tensors() {
		n += t.Size()
	}
	return n
}

// MACsPerFrame returns the multiply-accumulates of one frame of the network:
// one per matrix weight (biases and activations are not counted).
func (a Arch) MACsPerFrame() int {
	if a.Graph == GraphV2 {
		return a.macsV2()
	}
	n := 0
	for _, t := range a.Tensors() {
		if len(t.Shape) == 2 {
			n += t.Size()
		}
	}
	return n
}

// Model is an architecture with its weights. Weights are float32 in
// row-major order, keyed by tensor name.
type Model struct {
	Arch      Arch
	GainFloor float32           // smallest gain the model is meant to apply (trained with it)
	Meta      map[string]string // free-form metadata (recipe, data split, scores)
	Weights   map[string][]float32
}

// NewModel returns a model of arch a with all weights zero.
func NewModel(a Arch) (*Model, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Arch: a, Meta: map[string]string{}, Weights: map[string][]float32{}}
	for _, t := range a.Tensors() {
		m.Weights[t.Name] = make([]float32, t.Size())
	}
	return m, nil
}

// InitRandom fills the weights as PyTorch initialises nn.Linear and nn.GRU:
// uniform in ±1/sqrt(fan_in) for dense layers and ±1/sqrt(H) for the GRU.
func (m *Model) InitRandom(rng *rand.Rand) {
	if m.Arch.Graph == GraphV2 {
		m.initV2(rng)
		return
	}
	h := float64(m.Arch.Hidden)
	for _, t := range m.Arch.Tensors() {
		bound := 1 / math.Sqrt(h)
		switch t.Name {
		case "in.weight", "in.bias":
			bound = 1 / math.Sqrt(float64(m.Arch.Features))
		}
		if len(t.Shape) == 2 && (t.Name == "out.weight" || t.Name == "skip.weight" || hasSuffix(t.Name, "ghost.weight")) {
			bound = 1 / math.Sqrt(float64(t.Shape[1]))
		}
		w := m.Weights[t.Name]
		for i := range w {
			w[i] = float32((2*rng.Float64() - 1) * bound)
		}
	}
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// activation returns φ by name, applied elementwise: dst[i] = φ(src[i]).
// dst may be src.
func activation(name string) (func(dst, src []float32), error) {
	switch name {
	case "tanh", "":
		return fastmath.TanhVec, nil
	case "relu":
		return reluVec, nil
	case "identity":
		return func(dst, src []float32) { copy(dst, src) }, nil
	}
	return nil, fmt.Errorf("unknown ghost activation %q (want tanh, relu or identity)", name)
}

// reluVec sets dst[i] = max(src[i], 0).
func reluVec(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = max(x, 0)
	}
}

// Validate reports whether the model is usable by an Engine: a valid
// architecture, F ERB bands that fit its bins, and a gain floor in 0 … 1.
func (m *Model) Validate() error {
	if err := m.Arch.Validate(); err != nil {
		return err
	}
	if _, err := dsp.ERBBands(m.Arch.STFT(), m.Arch.Features); err != nil {
		return err
	}
	if !(m.GainFloor >= 0 && m.GainFloor <= 1) {
		return fmt.Errorf("gain floor %v must be in 0 … 1", m.GainFloor)
	}
	return nil
}

// Config returns the STFT framing the model was trained with.
func (m *Model) Config() dsp.Config { return m.Arch.STFT() }

// Latency returns the model's algorithmic delay in samples at its own framing
// (what Engine.Latency reports).
func (m *Model) Latency() int { return m.Arch.Latency() }
