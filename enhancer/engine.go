package enhancer

import (
	"fmt"
	"math"

	"github.com/ghostrnn/ghostrnn/dsp"
)

// Options are the user controls of an Engine.
type Options struct {
	// AttenLimDB is the maximum suppression in dB: no gain falls below
	// 10^(−AttenLimDB/20). 0 bypasses the model's gains (gain 1); +Inf leaves
	// only the model's own floor.
	AttenLimDB float64
	// Mix is the wet share of the output, 0 … 1: gain ← Mix·gain + (1 − Mix).
	// Since gain 1 is an exact delayed identity, this is the delay-aligned
	// dry/wet mix.
	Mix float64
}

// DefaultOptions suppress as far as the model allows, fully wet.
var DefaultOptions = Options{AttenLimDB: 100, Mix: 1}

// Validate reports whether the options are in range.
func (o Options) Validate() error {
	if math.IsNaN(o.AttenLimDB) || o.AttenLimDB < 0 {
		return fmt.Errorf("attenuation limit %v dB must be ≥ 0", o.AttenLimDB)
	}
	if math.IsNaN(o.Mix) || o.Mix < 0 || o.Mix > 1 {
		return fmt.Errorf("mix %v must be in 0 … 1", o.Mix)
	}
	return nil
}

// Engine is the streaming enhancer of one channel at the model's sample rate
// or, natively, at a higher rate with the same bin grid (see NewEngineAt).
// Process pushes any number of samples and returns the finished output; the
// output is the input delayed by Latency() samples, whatever the chunking.
type Engine struct {
	fr    Framing    // the engine's framing: the model's, or scaled to the native rate
	cfg   dsp.Config // fr's STFT
	model *Model
	net   *Net
	ana   *dsp.Analyzer
	feat  *dsp.Featurizer
	syn   *dsp.Synthesizer
	opts  Options
	floor float32
	hb    highBand

	fifo  []float32 // pending input, length < hop
	fbuf  []float32 // features
	gain  []float32 // gains of the last frame, after controls, one per bin of cfg
	raw   []float32 // gains of the last non-silent frame, before the controls
	spec  []complex128
	hist  [][]complex128 // ring of the last D input spectra (look-ahead)
	pos   int            // hist slot of the spectrum D frames back
	out   []float32      // one hop of output
	x1    []complex128   // deep filter: bins 0 … DF−1 of the frame the gains apply to (t−1)
	x2    []complex128   // and of the frame before it (t−2)
	stats FrameStats
}

// FrameStats describes the last processed frame.
type FrameStats struct {
	Frames         int64   // frames processed since creation or Reset
	SpeechPresence float32 // energy-weighted mean of the model's gain, 0 … 1
	SuppressionDB  float32 // output energy / input energy of the frame, in dB (≤ 0)
}

// NewEngine returns an engine running model m at its own rate with options o.
func NewEngine(m *Model, o Options) (*Engine, error) { return NewEngineAt(m, o, m.Arch.Rate) }

// NewEngineAt returns an engine running model m natively at rate r with
// options o: the STFT runs at r with the model's window and hop durations
// (Framing.At), so its bins are spaced as the model's and bins 0 … K−1 are the
// model's band (0 … 8 kHz for the default model). The model reads features of
// those bins, normalised to what it was trained on (dsp.NewFeaturizerAt), and
// its K gains apply there; the bins above get the high-band gain (highBand),
// and every bin then passes the same controls. Nothing is resampled, and the
// latency is the model's in time: N' − H' + D·H' samples at r. It fails for a
// rate that Framing.At refuses.
func NewEngineAt(m *Model, o Options, r int) (*Engine, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	fr, ok := m.Arch.At(r)
	if !ok {
		return nil, fmt.Errorf("the model's %d Hz framing (window %d, hop %d) has no whole-sample grid at %d Hz", m.Arch.Rate, m.Arch.Window, m.Arch.Hop, r)
	}
	cfg := fr.STFT()
	net, err := NewNet(m)
	if err != nil {
		return nil, err
	}
	ana, err := dsp.NewAnalyzer(cfg)
	if err != nil {
		return nil, err
	}
	syn, _ := dsp.NewSynthesizer(cfg)
	feat, err := dsp.NewFeaturizerAt(m.Config(), m.Arch.Features, cfg)
	if err != nil {
		return nil, err
	}
	net.atSTFT(cfg, feat)
	e := &Engine{
		fr: fr, cfg: cfg, model: m, net: net, ana: ana, feat: feat, syn: syn,
		hb:   newHighBand(m.Arch.Bins, cfg.Bins()),
		fifo: make([]float32, 0, cfg.Hop),
		fbuf: make([]float32, m.Arch.Features),
		gain: make([]float32, cfg.Bins()),
		raw:  make([]float32, cfg.Bins()),
		spec: make([]complex128, cfg.Bins()),
		out:  make([]float32, cfg.Hop),
		hist: make([][]complex128, fr.Lookahead),
	}
	for i := range e.hist {
		e.hist[i] = make([]complex128, cfg.Bins())
	}
	if m.Arch.DF > 0 {
		e.x1, e.x2 = make([]complex128, m.Arch.DF), make([]complex128, m.Arch.DF)
	}
	e.SetOptions(o)
	return e, nil
}

// SetOptions changes the controls; they apply from the next frame.
// Invalid options are clamped into range.
func (e *Engine) SetOptions(o Options) {
	if math.IsNaN(o.AttenLimDB) || o.AttenLimDB < 0 {
		o.AttenLimDB = 0
	}
	if math.IsNaN(o.Mix) {
		o.Mix = 1
	}
	o.Mix = min(max(o.Mix, 0), 1)
	e.opts = o
	e.floor = max(e.model.GainFloor, float32(math.Pow(10, -o.AttenLimDB/20)))
}

// Options returns the current controls.
func (e *Engine) Options() Options { return e.opts }

// Config returns the engine's STFT framing (at its own rate).
func (e *Engine) Config() dsp.Config { return e.cfg }

// Latency returns the delay of the output behind the input, in samples at the
// engine's rate: the STFT's N − H plus D·H for a model with D frames of
// look-ahead.
func (e *Engine) Latency() int { return e.fr.Latency() }

// Stats returns figures of the last processed frame.
func (e *Engine) Stats() FrameStats { return e.stats }

// Gains returns the gains applied to the last frame, after the controls. The
// slice is owned by the engine.
func (e *Engine) Gains() []float32 { return e.gain }

// Reset forgets all history: recurrent state, feature means, STFT buffers and
// pending samples. The next output sample is again Latency() samples behind.
func (e *Engine) Reset() {
	e.net.Reset()
	e.ana.Reset()
	e.feat.Reset()
	e.syn.Reset()
	e.fifo = e.fifo[:0]
	for _, h := range e.hist {
		clear(h)
	}
	e.pos = 0
	e.hb.reset()
	clear(e.raw)
	clear(e.x1)
	clear(e.x2)
	e.stats = FrameStats{}
}

// Process pushes src and appends every finished output sample to dst, which
// it returns. With enough capacity in dst it allocates nothing.
func (e *Engine) Process(dst, src []float32) []float32 {
	h := e.cfg.Hop
	for len(src) > 0 {
		k := min(h-len(e.fifo), len(src))
		e.fifo = append(e.fifo, src[:k]...)
		src = src[k:]
		if len(e.fifo) == h {
			e.frame(e.fifo)
			e.fifo = e.fifo[:0]
			dst = append(dst, e.out...)
		}
	}
	return dst
}

// Flush pushes Latency() + pending zeros so that every input sample pushed so
// far has come out, and appends the output to dst. The engine's history is
// then that of a stream padded with silence; call Reset to start anew.
func (e *Engine) Flush(dst []float32) []float32 {
	var zeros [64]float32
	n := e.Latency()
	if len(e.fifo) > 0 {
		n += e.cfg.Hop - len(e.fifo)
	}
	for n > 0 {
		k := min(n, len(zeros))
		dst = e.Process(dst, zeros[:k])
		n -= k
	}
	return dst
}

// frame runs the whole signal path on one hop of input:
// analysis, features, model, controls, gain, synthesis. With D frames of
// look-ahead the gains computed from frame t apply to frame t − D, kept in
// a ring of the last D spectra.
//
// A frame of digital silence (its spectrum exactly zero: a muted or gated
// input, a file's silent lead-in, a sink before playback, Flush's padding)
// does not run the model: the recurrent state, the feature means and the
// high-band noise estimate stay as they were, and the frame D back gets the
// last computed gains. Fed to the model, a second of silence drags the
// feature means towards −100 dB and leaves the state where no training
// mixture (they all hold noise) ever took it; the speech that follows then
// came out 3.3 dB SI-SDR worse over the 13 s bundled example.
func (e *Engine) frame(hop []float32) {
	x := e.ana.FrameTo(e.spec, hop) // e.spec is free: the last frame is synthesized
	silent := allZero(x)
	if !silent {
		e.feat.Compute(e.fbuf, x)
		e.net.ForwardSpec(e.gain[:e.model.Arch.Bins], e.fbuf, x)
	}
	cur := x
	if len(e.hist) > 0 {
		// x goes into the ring; e.spec becomes the frame D back.
		e.spec, e.hist[e.pos] = e.hist[e.pos], x
		e.pos = (e.pos + 1) % len(e.hist)
		x, cur = e.spec, x
	}
	copy(e.x1, x) // the deep filter's tap t−1, before the gains overwrite it
	if silent {
		copy(e.gain, e.raw)
	} else {
		e.hb.fill(e.gain, x) // x is the frame the gains apply to
		copy(e.raw, e.gain)
	}

	// One pass: the model's raw gain feeds the speech-presence estimate, then
	// the controls shape the gain that is applied.
	mix := float32(e.opts.Mix)
	bypass := e.opts.AttenLimDB == 0
	ein, eg, eout := applyGains(e.spec, x, e.gain, e.floor, mix, bypass)
	// The deep filter (a v2 model with DF > 0, look-ahead 1) adds
	// mix · Σ_i c_{k,i} Z_{k,i} to bins 0 … DF−1 (V2DF): with the gain term
	// above, the output there is mix·Y_k + (1 − mix)·X_k(t−1).
	if c := e.net.DF(); c != nil && !bypass {
		V2DF(e.spec, float64(mix), c, cur, e.x1, e.x2)
	}
	copy(e.x2, e.x1)
	e.syn.Frame(e.out, e.spec)

	e.stats.Frames++
	e.stats.SpeechPresence, e.stats.SuppressionDB = 0, 0
	if ein > 0 {
		e.stats.SpeechPresence = float32(eg / ein)
		e.stats.SuppressionDB = float32(10 * math.Log10(max(eout, 1e-30)/ein))
	}
}

// allZero reports whether every value of x is exactly zero.
func allZero(x []complex128) bool {
	for _, c := range x {
		if c != 0 {
			return false
		}
	}
	return true
}
