// Package liveproc wires the enhancer into the live audio pipeline:
// Processor runs an enhancer.Stream as a live.StatsProcessor, and Controls
// hold the controls that change while it runs (bypass), which the processor
// applies on the audio thread. audio/live knows neither; the CLI wires them.
package liveproc

import (
	"sync/atomic"

	"github.com/ghostrnn/ghostrnn/audio/live"
	"github.com/ghostrnn/ghostrnn/enhancer"
)

// Controls are the enhancer controls of a live run: the one place that holds
// whether it is bypassed. Any goroutine may change or read them; each
// Processor that follows them applies a change on the audio thread before its
// next block, without a lock or an allocation there.
//
// Bypass sets the attenuation limit to 0 dB (gain 1: the output is the input
// delayed by the engine's latency); un-bypassing restores the limit given to
// NewControls.
type Controls struct {
	on     enhancer.Options // the controls when not bypassed
	bypass atomic.Bool
	gen    atomic.Uint64 // counts changes; a processor applies when it moves
}

// NewControls starts with the options o, bypassed when bypass is set or o's
// attenuation limit is 0 dB (un-bypassing that uses the default limit,
// enhancer.DefaultOptions.AttenLimDB).
func NewControls(o enhancer.Options, bypass bool) *Controls {
	c := &Controls{on: o}
	if o.AttenLimDB == 0 {
		bypass = true
		c.on.AttenLimDB = enhancer.DefaultOptions.AttenLimDB
	}
	c.bypass.Store(bypass)
	return c
}

// Options returns the controls in force: the options given to NewControls,
// with an attenuation limit of 0 dB while bypassed.
func (c *Controls) Options() enhancer.Options {
	o := c.on
	if c.bypass.Load() {
		o.AttenLimDB = 0
	}
	return o
}

// Bypassed reports whether the enhancer is bypassed.
func (c *Controls) Bypassed() bool { return c.bypass.Load() }

// SetBypass bypasses the enhancer or ends the bypass.
func (c *Controls) SetBypass(b bool) {
	c.bypass.Store(b)
	c.gen.Add(1)
}

// ToggleBypass flips the bypass and returns the new state.
func (c *Controls) ToggleBypass() bool {
	for {
		old := c.bypass.Load()
		if c.bypass.CompareAndSwap(old, !old) {
			c.gen.Add(1)
			return !old
		}
	}
}

// Processor runs an enhancer.Stream as a live.StatsProcessor.
type Processor struct {
	s       *enhancer.Stream
	engines []*enhancer.Engine
	ctl     *Controls
	applied uint64 // ctl's change count last applied
}

// New wraps s. With ctl not nil, s takes ctl's options now and follows their
// changes from then on, each applied at the start of the next Process.
func New(s *enhancer.Stream, ctl *Controls) *Processor {
	p := &Processor{s: s, engines: s.Engines(), ctl: ctl}
	if ctl != nil {
		p.applied = ctl.gen.Load() // before reading: a change in between is applied again later
		s.SetOptions(ctl.Options())
	}
	return p
}

var _ live.StatsProcessor = (*Processor)(nil)

// Process implements live.Processor: it applies a pending change of the
// controls, then processes src.
func (p *Processor) Process(dst, src []float32) []float32 {
	if p.ctl != nil {
		if g := p.ctl.gen.Load(); g != p.applied {
			p.applied = g
			p.s.SetOptions(p.ctl.Options())
		}
	}
	return p.s.Process(dst, src)
}

// Latency implements live.Processor: the stream's latency in frames at its rate.
func (p *Processor) Latency() float64 { return p.s.Latency() }

// FrameStats implements live.StatsProcessor: the speech presence and the
// suppression of the last frame, averaged over the stream's engines.
func (p *Processor) FrameStats() (presence, suppressionDB float32) {
	for _, e := range p.engines {
		st := e.Stats()
		presence += st.SpeechPresence
		suppressionDB += st.SuppressionDB
	}
	n := float32(len(p.engines))
	return presence / n, suppressionDB / n
}
