// Package plugin is the host-facing core of the ghostrnn LADSPA and LV2
// plugins (plugin/ladspa builds them): an Instance enhances one, two or more
// channels at the host's rate, block by block, at a fixed latency.
//
// The host hands Run blocks of any size n. Each block goes into an
// enhancer.Stream, whose output arrives in whole model hops, so it lags the
// input count by a varying amount (hop alignment, resampler look-ahead). A
// FIFO that starts with Pad() zero frames absorbs this: Pad() is the largest
// shortfall N − out(N) of the stream's output count out(N) after N input
// frames, found by rehearsing the stream one frame at a time over half a second
// of silence (out(N) depends on N alone, not on how it was chunked). Output frame
// t is therefore the enhanced input frame t − Latency(), with
//
//	Latency() = round(stream latency) + Pad(),
//
// the stream latency being the engine's (20 ms) at the host's rate.
package plugin

import (
	"fmt"
	"math"
	"os"
	"sync"

	"github.com/ghostrnn/ghostrnn/audio/resample"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

// MaxChunk is the most frames Run hands the stream at once; longer host
// blocks are split, so the buffers sized for it in New suffice for any block.
const MaxChunk = 1024

// ModelEnv names the environment variable that selects a model file; unset
// or empty, the embedded default model is used.
const ModelEnv = "GHOSTRNN_MODEL"

// Controls are the plugin's control ports.
type Controls struct {
	AttenLimDB float32 // maximum suppression in dB, 0 … 100 (0 passes the input, delayed)
	Mix        float32 // wet share 0 … 1
	Bypass     bool    // pass the input through, delayed by Latency() like the wet signal
}

// DefaultControls are the ports' defaults: the engine's default options, not bypassed.
var DefaultControls = Controls{AttenLimDB: float32(enhancer.DefaultOptions.AttenLimDB), Mix: float32(enhancer.DefaultOptions.Mix)}

// Options maps the controls to engine options: bypass is an attenuation limit
// of 0 dB, which makes the gain an exact delayed identity.
func (c Controls) Options() enhancer.Options {
	o := enhancer.Options{AttenLimDB: float64(c.AttenLimDB), Mix: float64(c.Mix)}
	if c.Bypass {
		o.AttenLimDB = 0
	}
	return o
}

var (
	defaultOnce  sync.Once
	defaultModel *enhancer.Model
	defaultErr   error
)

// LoadModel returns the model named by $GHOSTRNN_MODEL, or the embedded
// default (decoded once and shared: engines only read their model).
func LoadModel() (*enhancer.Model, error) {
	if p := os.Getenv(ModelEnv); p != "" {
		m, err := models.Load(p)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %v", ModelEnv, p, err)
		}
		return m, nil
	}
	defaultOnce.Do(func() { defaultModel, defaultErr = models.Default() })
	return defaultModel, defaultErr
}

// Instance is one plugin instance: channels enhanced each with its own state.
// Its methods must not be called concurrently; Run allocates nothing.
type Instance struct {
	rate, ch int
	st       *enhancer.Stream
	pad      int
	lat      int
	opts     enhancer.Options
	inter    []float32 // interleaved input chunk
	fifo     []float32 // interleaved output not yet given to the host
	scratch  []float32 // for Flush in Activate
	// Underruns counts output frames that had to be filled with silence
	// because the stream fell behind the FIFO (never expected: Pad covers
	// the worst case).
	Underruns int64
}

// New returns an instance of model m for channels channels at rate Hz,
// activated. It rehearses the stream to find Pad and to grow every buffer
// to its working size, so that Run allocates nothing.
func New(m *enhancer.Model, rate, channels int) (*Instance, error) {
	if channels < 1 {
		return nil, fmt.Errorf("plugin needs at least one channel, got %d", channels)
	}
	st, err := enhancer.NewStream(m, enhancer.DefaultOptions, enhancer.StreamConfig{Rate: rate, Channels: channels}, newResampler)
	if err != nil {
		return nil, err
	}
	p := &Instance{rate: rate, ch: channels, st: st, opts: enhancer.DefaultOptions}
	p.pad = rehearse(st, channels, rate)
	p.lat = int(math.Round(st.Latency())) + p.pad
	hop := max(rate/100, 1)
	p.inter = make([]float32, MaxChunk*channels)
	p.fifo = make([]float32, 0, (p.pad+2*MaxChunk+8*hop+64)*channels)
	p.scratch = make([]float32, 0, (p.lat+8*hop+MaxChunk)*channels)
	// Grow the stream's own buffers with chunks of every size class Run uses.
	out := make([]float32, 0, cap(p.fifo))
	for _, k := range []int{MaxChunk, 7, 441, 480, 511, MaxChunk} {
		for i := 0; i < max(4, rate/k/10); i++ {
			out = st.Process(out[:0], p.inter[:k*channels])
		}
	}
	p.Activate()
	return p, nil
}

// rehearse pushes half a second of silence one frame at a time and returns
// the largest shortfall of output frames behind input frames. The shortfall
// is periodic with the hop at the host's rate (441 frames at 44.1 kHz, 480 at
// 48 kHz), far shorter.
func rehearse(st *enhancer.Stream, ch, rate int) int {
	in := make([]float32, ch)
	out := make([]float32, 0, 4096*ch)
	var n, got int64
	worst := 0
	for i := 0; i < max(rate/2, 4096); i++ {
		out = st.Process(out[:0], in)
		n++
		got += int64(len(out) / ch)
		worst = max(worst, int(n-got))
	}
	return worst
}

// newResampler adapts audio/resample to the enhancer's mono Resampler.
func newResampler(in, out int) (enhancer.Resampler, error) { return resample.New(in, out, 1) }

// Activate forgets all audio history (LADSPA/LV2 activate): the stream is
// flushed, which resets its resamplers, its engines are reset, and the FIFO
// is refilled with Pad() zero frames. It allocates nothing once New has run.
func (p *Instance) Activate() {
	p.scratch = p.st.Flush(p.scratch[:0])
	for _, e := range p.st.Engines() {
		e.Reset()
	}
	p.fifo = p.fifo[:p.pad*p.ch]
	clear(p.fifo)
	p.Underruns = 0
}

// Rate returns the host's sample rate.
func (p *Instance) Rate() int { return p.rate }

// Channels returns the number of channels.
func (p *Instance) Channels() int { return p.ch }

// Latency returns the delay of the output behind the input in frames at the
// host's rate, what the latency port reports.
func (p *Instance) Latency() int { return p.lat }

// Pad returns the FIFO's frames of delay on top of the stream's latency.
func (p *Instance) Pad() int { return p.pad }

// Run enhances n frames: in[c][:n] of every channel c to out[c][:n]. in and
// out may be the same buffers (in-place). It allocates nothing, takes no lock
// and does not block.
func (p *Instance) Run(out, in [][]float32, n int, c Controls) {
	if o := c.Options(); o != p.opts {
		p.opts = o
		p.st.SetOptions(o)
	}
	ch := p.ch
	for done := 0; done < n; {
		k := min(n-done, MaxChunk)
		x := p.inter[:k*ch]
		for c := 0; c < ch; c++ {
			src := in[c][done : done+k]
			for i, v := range src {
				x[i*ch+c] = v
			}
		}
		p.fifo = p.st.Process(p.fifo, x)
		have := min(len(p.fifo)/ch, k)
		for c := 0; c < ch; c++ {
			dst := out[c][done : done+k]
			for i := 0; i < have; i++ {
				dst[i] = p.fifo[i*ch+c]
			}
			clear(dst[have:])
		}
		if have < k {
			p.Underruns += int64(k - have)
		}
		p.fifo = p.fifo[:copy(p.fifo, p.fifo[have*ch:])]
		done += k
	}
}
