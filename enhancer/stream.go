package enhancer

import (
	"fmt"
	"time"
)

// Resampler converts one mono stream between two fixed rates.
//
// Its output is time-aligned with its input: output sample j lies at time
// j/outRate, the filter's own delay being absorbed inside (the resampler
// holds output back until it can emit aligned samples). After Flush the
// total output is round(N·outRate/inRate) samples for N input samples.
type Resampler interface {
	Process(dst, src []float32) []float32 // appends output for src
	Flush(dst []float32) []float32        // appends the remaining output
}

// NewResamplerFunc makes a Resampler from inRate to outRate.
type NewResamplerFunc func(inRate, outRate int) (Resampler, error)

// ChannelMode says how a Stream treats several channels.
type ChannelMode int

// Channel modes.
const (
	EachChannel ChannelMode = iota // every channel has its own engine and state
	MonoMix                        // channels are averaged, enhanced once, and the result goes to every channel
	LeftOnly                       // channel 0 is enhanced and goes to every channel
	RightOnly                      // channel 1 (or the last) is enhanced and goes to every channel
)

// ParseChannelMode parses "each", "mono", "left" or "right".
func ParseChannelMode(s string) (ChannelMode, error) {
	switch s {
	case "each", "":
		return EachChannel, nil
	case "mono":
		return MonoMix, nil
	case "left":
		return LeftOnly, nil
	case "right":
		return RightOnly, nil
	}
	return 0, fmt.Errorf("unknown channel mode %q (want each, mono, left or right)", s)
}

// StreamConfig describes the audio a Stream takes and gives.
type StreamConfig struct {
	Rate     int         // sample rate of the input and output
	Channels int         // interleaved channels of the input and output
	Mode     ChannelMode // how channels are enhanced
	// Aligned drops the engine's latency so that output sample n belongs to
	// input sample n, and makes Flush emit exactly as many frames as were
	// pushed (for files). Without it the output lags by Latency() (live use).
	Aligned bool
	// Resample forces the resampled path (Rate → the model's rate → Rate)
	// even where the engine could run natively at Rate (see Native).
	Resample bool
}

// Native reports whether a Stream for model m at rate r runs its engines
// natively at r, with no resampling: r is the model's rate, or a higher rate
// on which the model's window and hop are whole samples (Framing.At; 24, 32,
// 44.1, 48, 88.2, 96 kHz for the default 16 kHz model). Other rates (below
// the model's, or 22.05 kHz) are resampled to the model's rate and back.
func Native(m *Model, r int) bool {
	_, ok := m.Arch.At(r)
	return ok
}

// Stream enhances interleaved audio at any rate and channel count: each
// enhanced channel runs through its own Engine, natively at the stream's
// rate where Native allows, otherwise resampled to the model's rate and
// back.
type Stream struct {
	// Times, when not nil, accumulates the time spent in each stage.
	Times *StageTimes

	cfg      StreamConfig
	lanes    []*lane
	in, out  int64 // frames pushed and given
	scratch  []float32
	laneOuts [][]float32
}

// StageTimes is the time a Stream spent resampling down, enhancing and
// resampling up, summed over lanes.
type StageTimes struct {
	Down, Enhance, Up time.Duration
}

// lane is one enhanced channel: down-resampler, engine, up-resampler.
type lane struct {
	down, up Resampler // nil when the engine runs at the stream's rate
	eng      *Engine
	drop     int // engine-rate samples still to drop for alignment
	a, b, c  []float32
}

// NewStream builds a stream for model m with options o. newRS may be nil when
// the stream runs natively (see Native).
func NewStream(m *Model, o Options, cfg StreamConfig, newRS NewResamplerFunc) (*Stream, error) {
	if cfg.Channels < 1 || cfg.Rate < 1 {
		return nil, fmt.Errorf("stream needs a positive rate and channel count, got %d Hz, %d channels", cfg.Rate, cfg.Channels)
	}
	n := 1
	if cfg.Mode == EachChannel {
		n = cfg.Channels
	}
	s := &Stream{cfg: cfg}
	mr := m.Arch.Rate
	if Native(m, cfg.Rate) && !cfg.Resample {
		mr = cfg.Rate
	}
	for i := 0; i < n; i++ {
		e, err := NewEngineAt(m, o, mr)
		if err != nil {
			return nil, err
		}
		l := &lane{eng: e}
		if cfg.Aligned {
			l.drop = e.Latency()
		}
		if cfg.Rate != mr {
			if newRS == nil {
				return nil, fmt.Errorf("input at %d Hz needs a resampler to the model's %d Hz", cfg.Rate, mr)
			}
			if l.down, err = newRS(cfg.Rate, mr); err != nil {
				return nil, err
			}
			if l.up, err = newRS(mr, cfg.Rate); err != nil {
				return nil, err
			}
		}
		s.lanes = append(s.lanes, l)
	}
	s.laneOuts = make([][]float32, n)
	return s, nil
}

// Latency returns the output's lag behind the input in frames at the stream
// rate: 0 when Aligned, else the engine latency scaled to the stream rate
// (resampler delays are absorbed by the resamplers).
func (s *Stream) Latency() float64 {
	if s.cfg.Aligned {
		return 0
	}
	e := s.lanes[0].eng
	return float64(e.Latency()) * float64(s.cfg.Rate) / float64(e.Config().SampleRate)
}

// Engines returns the per-lane engines, e.g. to read their stats or change options.
func (s *Stream) Engines() []*Engine {
	es := make([]*Engine, len(s.lanes))
	for i, l := range s.lanes {
		es[i] = l.eng
	}
	return es
}

// SetOptions changes the controls of every engine.
func (s *Stream) SetOptions(o Options) {
	for _, l := range s.lanes {
		l.eng.SetOptions(o)
	}
}

// Process pushes interleaved frames and appends the finished interleaved
// output frames to dst.
func (s *Stream) Process(dst, src []float32) []float32 {
	ch := s.cfg.Channels
	frames := len(src) / ch
	s.in += int64(frames)
	for i, l := range s.lanes {
		s.scratch = s.extract(s.scratch[:0], src, i)
		s.laneOuts[i] = l.process(s.laneOuts[i], s.scratch, false, s.Times)
	}
	return s.emit(dst, false)
}

// Flush ends the stream and appends the remaining output. When Aligned,
// the total output is exactly the number of frames pushed.
func (s *Stream) Flush(dst []float32) []float32 {
	for i, l := range s.lanes {
		s.laneOuts[i] = l.process(s.laneOuts[i], nil, true, s.Times)
	}
	return s.emit(dst, true)
}

// extract appends lane i's mono signal from interleaved src.
func (s *Stream) extract(dst, src []float32, i int) []float32 {
	ch := s.cfg.Channels
	if ch == 1 {
		return append(dst, src...)
	}
	switch s.cfg.Mode {
	case EachChannel:
		for j := i; j < len(src); j += ch {
			dst = append(dst, src[j])
		}
	case MonoMix:
		inv := 1 / float32(ch)
		for j := 0; j+ch <= len(src); j += ch {
			var sum float32
			for c := 0; c < ch; c++ {
				sum += src[j+c]
			}
			dst = append(dst, sum*inv)
		}
	case LeftOnly, RightOnly:
		c := 0
		if s.cfg.Mode == RightOnly {
			c = min(1, ch-1)
		}
		for j := c; j < len(src); j += ch {
			dst = append(dst, src[j])
		}
	}
	return dst
}

// emit interleaves as many frames as every lane has ready (on flush: exactly
// the frames still owed when Aligned) and keeps the rest for later.
func (s *Stream) emit(dst []float32, flush bool) []float32 {
	ready := len(s.laneOuts[0])
	for _, o := range s.laneOuts[1:] {
		ready = min(ready, len(o))
	}
	if s.cfg.Aligned {
		owed := int(s.in - s.out)
		if flush {
			for i, o := range s.laneOuts {
				for len(o) < owed {
					o = append(o, 0)
				}
				s.laneOuts[i] = o
			}
			ready = owed
		}
		ready = min(ready, owed)
	}
	ch := s.cfg.Channels
	if ch == 1 {
		dst = append(dst, s.laneOuts[0][:ready]...)
	}
	for n := 0; ch > 1 && n < ready; n++ {
		for c := 0; c < ch; c++ {
			li := 0
			if s.cfg.Mode == EachChannel {
				li = c
			}
			dst = append(dst, s.laneOuts[li][n])
		}
	}
	for i, o := range s.laneOuts {
		s.laneOuts[i] = o[:copy(o, o[ready:])]
	}
	s.out += int64(ready)
	return dst
}

// process runs one lane on mono input x (or flushes it) and appends to dst.
func (l *lane) process(dst, x []float32, flush bool, tm *StageTimes) []float32 {
	var t0 time.Time
	lap := func(d *time.Duration) {
		if tm != nil {
			now := time.Now()
			*d += now.Sub(t0)
			t0 = now
		}
	}
	if tm != nil {
		t0 = time.Now()
	}
	in := x
	if l.down != nil {
		if flush {
			l.a = l.down.Flush(l.a[:0])
		} else {
			l.a = l.down.Process(l.a[:0], x)
		}
		in = l.a
	}
	if tm != nil {
		lap(&tm.Down)
	}
	l.b = l.eng.Process(l.b[:0], in)
	if flush {
		l.b = l.eng.Flush(l.b)
	}
	if tm != nil {
		lap(&tm.Enhance)
	}
	y := l.b
	if l.drop > 0 {
		k := min(l.drop, len(y))
		y = y[k:]
		l.drop -= k
	}
	if l.up == nil {
		return append(dst, y...)
	}
	l.c = l.up.Process(l.c[:0], y)
	if flush {
		l.c = l.up.Flush(l.c)
	}
	if tm != nil {
		lap(&tm.Up)
	}
	return append(dst, l.c...)
}
