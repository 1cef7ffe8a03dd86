package live

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// SessionConfig describes a live run: devices, processing and recordings.
type SessionConfig struct {
	Stream StreamConfig // devices, channels, rate, buffer and latency
	// NewProcessor makes the processor for Stream's rate and input channels.
	NewProcessor func() (Processor, error)
	// MaxLoad: see PipelineConfig.
	MaxLoad float64
	// Duration stops the session after this much audio (0: run until stopped).
	Duration time.Duration
	// Record and RecordRaw are WAV files for the enhanced output and the
	// captured input ("" for none).
	Record, RecordRaw string
	// Watchdog is how long the device may stay silent (no callback) before
	// the session fails (default: 2 s, or 20 buffers if longer; at least 5 s
	// before the first callback).
	Watchdog time.Duration
}

// Session is a running capture → processor → playback/recording chain.
type Session struct {
	cfg      SessionConfig
	pipe     *Pipeline
	stream   *Stream
	rec, raw *Recorder
	start    time.Time
	end      time.Time
	closed   bool
}

// ErrDeviceStalled is returned by Wait when the device stops calling back.
var ErrDeviceStalled = errors.New("the audio device stopped delivering audio")

// OpenSession builds the pipeline, creates the recordings and opens the
// device stream, without starting it. Any failure leaves nothing open.
func OpenSession(cfg SessionConfig) (*Session, error) {
	s := &Session{cfg: cfg}
	if err := s.open(); err != nil {
		s.abandon()
		return nil, err
	}
	return s, nil
}

// open does the work of OpenSession.
func (s *Session) open() (err error) {
	cfg := s.cfg
	sc := cfg.Stream
	if sc.Input == nil {
		return errors.New("live processing needs an input device")
	}
	// Check the devices first: building the enhancer for a wrong channel
	// count could take long.
	if err := CheckStream(sc); err != nil {
		return err
	}
	var limit int64
	if cfg.Duration > 0 {
		limit = int64(math.Round(cfg.Duration.Seconds() * float64(sc.Rate)))
	}
	if cfg.Record != "" {
		if s.rec, err = CreateRecorder(cfg.Record, sc.Rate, sc.InChannels); err != nil {
			return err
		}
	}
	if cfg.RecordRaw != "" {
		if s.raw, err = CreateRecorder(cfg.RecordRaw, sc.Rate, sc.InChannels); err != nil {
			return err
		}
	}
	outCh := 0
	if sc.Output != nil {
		outCh = sc.OutChannels
	}
	pc := PipelineConfig{
		Rate: sc.Rate, InChannels: sc.InChannels, OutChannels: outCh,
		FramesPerBuffer: sc.FramesPerBuffer, MaxLoad: cfg.MaxLoad,
		NewProcessor: cfg.NewProcessor, Limit: limit,
	}
	if s.rec != nil {
		pc.Record = s.rec.Ring()
	}
	if s.raw != nil {
		pc.RecordRaw = s.raw.Ring()
	}
	if s.pipe, err = NewPipeline(pc); err != nil {
		return err
	}
	if s.stream, err = OpenStream(sc, s.pipe.Process); err != nil {
		return err
	}
	return nil
}

// abandon releases whatever OpenSession had opened.
func (s *Session) abandon() {
	if s.stream != nil {
		s.stream.Stop(2 * time.Second)
	}
	for _, r := range []*Recorder{s.rec, s.raw} {
		if r != nil {
			r.Close()
			if r.Frames() == 0 {
				removeFile(r.Path())
			}
		}
	}
}

// Config returns the session's configuration.
func (s *Session) Config() SessionConfig { return s.cfg }

// Pipeline returns the session's pipeline (counters, levels, latency).
func (s *Session) Pipeline() *Pipeline { return s.pipe }

// Stream returns the device stream.
func (s *Session) Stream() *Stream { return s.stream }

// Recorders returns the enhanced and raw recorders (nil when not recording).
func (s *Session) Recorders() (enhanced, raw *Recorder) { return s.rec, s.raw }

// Start starts the device.
func (s *Session) Start() error {
	s.start = time.Now()
	return s.stream.Start()
}

// Wait returns nil when the session's Duration of audio has gone through or
// ctx is done, or ErrDeviceStalled (wrapped) when the device stops calling
// back. It calls tick (if not nil) every period meanwhile.
func (s *Session) Wait(ctx context.Context, period time.Duration, tick func()) error {
	wd := s.cfg.Watchdog
	if wd <= 0 {
		wd = 2 * time.Second
		if n := s.cfg.Stream.FramesPerBuffer; n > 0 {
			wd = max(wd, 20*time.Duration(n)*time.Second/time.Duration(s.cfg.Stream.Rate))
		}
	}
	poll := min(period, 20*time.Millisecond)
	if poll <= 0 {
		poll = 20 * time.Millisecond
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	lastCalls, lastChange := int64(-1), time.Now()
	nextTick := time.Now().Add(period)
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			if s.pipe.Done() {
				return nil
			}
			limit := wd
			if lastCalls <= 0 { // the first callbacks may take a sound server a while
				limit = max(wd, stallTimeout)
			}
			if c := s.pipe.callbacks.Load(); c != lastCalls {
				lastCalls, lastChange = c, now
			} else if now.Sub(lastChange) > limit {
				return fmt.Errorf("%w: no audio from %s for %v after %.1f s (unplugged, or its sound server stopped?)",
					ErrDeviceStalled, streamName(s.cfg.Stream), limit.Round(time.Millisecond), float64(s.pipe.Counters().Frames)/float64(s.cfg.Stream.Rate))
			}
			if tick != nil && period > 0 && !now.Before(nextTick) {
				tick()
				nextTick = nextTick.Add(period)
				if nextTick.Before(now) {
					nextTick = now.Add(period)
				}
			}
		}
	}
}

// Summary describes a finished session.
type Summary struct {
	Seconds         float64       `json:"seconds"`      // audio that went through
	WallSeconds     float64       `json:"wall_seconds"` // time since Start
	Rate            int           `json:"rate"`
	Frames          int64         `json:"frames"`
	Callbacks       int64         `json:"callbacks"`
	Xruns           int64         `json:"xruns"`
	InputOverflows  int64         `json:"input_overflows"`
	OutputUnderruns int64         `json:"output_underflows"`
	Overloads       int64         `json:"overloads"`
	DryFrames       int64         `json:"bypassed_frames"`
	Blocks          int64         `json:"frames_processed"`
	P50             time.Duration `json:"-"`
	P99             time.Duration `json:"-"`
	Max             time.Duration `json:"-"`
	P50us           float64       `json:"proc_p50_us"`
	P99us           float64       `json:"proc_p99_us"`
	MaxUs           float64       `json:"proc_max_us"`
	HopMs           float64       `json:"hop_ms"`
	LatencyFrames   int           `json:"latency_frames"`
	RecordFrames    int64         `json:"record_frames,omitempty"`
	RawFrames       int64         `json:"record_raw_frames,omitempty"`
	RecordDropped   int64         `json:"record_dropped_samples,omitempty"`
}

// Close stops the device, finishes the recordings (valid files whatever
// happened) and returns the summary. The error reports what failed while
// stopping or writing.
func (s *Session) Close() (Summary, error) {
	var errs []error
	if !s.closed {
		s.closed = true
		s.end = time.Now()
		if err := s.stream.Stop(3 * time.Second); err != nil {
			errs = append(errs, err)
		}
		for _, r := range []*Recorder{s.rec, s.raw} {
			if r != nil {
				if err := r.Close(); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	c := s.pipe.Counters()
	h := s.pipe.ProcessingTimes()
	sum := Summary{
		Seconds: float64(c.Frames) / float64(s.pipe.rate), Rate: s.pipe.rate, Frames: c.Frames,
		Callbacks: c.Callbacks, Xruns: c.Xruns(), InputOverflows: c.InputOverflow, OutputUnderruns: c.OutputUnderflow,
		Overloads: c.Overloads, DryFrames: c.DryFrames, Blocks: c.Blocks,
		P50: h.Quantile(0.5), P99: h.Quantile(0.99), Max: h.Max,
		HopMs:         1000 * float64(s.pipe.hop) / float64(s.pipe.rate),
		LatencyFrames: s.pipe.Latency(),
		RecordDropped: c.RecordDropped + c.RawDropped,
	}
	if !s.start.IsZero() {
		sum.WallSeconds = s.end.Sub(s.start).Seconds()
	}
	sum.P50us, sum.P99us, sum.MaxUs = us(sum.P50), us(sum.P99), us(sum.Max)
	if s.rec != nil {
		sum.RecordFrames = s.rec.Frames()
	}
	if s.raw != nil {
		sum.RawFrames = s.raw.Frames()
	}
	return sum, errors.Join(errs...)
}

func us(d time.Duration) float64 { return math.Round(float64(d)/1e1) / 1e2 }
