package live

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Processor is the signal processing that a Pipeline runs on the audio
// thread: an enhancer stream wrapped by the program that wires it, or in
// tests anything that behaves like one. The Pipeline knows nothing else of
// it; controls that change while it runs (bypass, …) are the processor's
// own business, applied by it on the audio thread at its next Process.
//
// Process pushes interleaved frames and appends the finished output frames to
// dst; the output is the input delayed by Latency() frames (rounded to whole
// frames by the Pipeline), both at the Pipeline's rate. It must not allocate
// once dst has grown, nor block.
type Processor interface {
	Process(dst, src []float32) []float32
	Latency() float64
}

// StatsProcessor is a Processor that also describes the last frame it
// processed; the Pipeline reads it after every block.
type StatsProcessor interface {
	Processor
	// FrameStats returns the speech presence (0 … 1) and the suppression in
	// dB (≤ 0) of the last frame.
	FrameStats() (presence, suppressionDB float32)
}

// Clock reads a monotonic clock: the time since some fixed origin. The
// Pipeline times its blocks with it to decide overloads; tests inject one
// that their processor advances, so that no decision depends on the
// machine's speed.
type Clock func() time.Duration

// wallClock is the default Clock: the monotonic reading of the system clock.
func wallClock() Clock {
	origin := time.Now()
	return func() time.Duration { return time.Since(origin) }
}

// Status flags of a device callback, as the device reports them.
const (
	InputUnderflow  uint = 1 << iota // the input had gaps filled with zeros
	InputOverflow                    // input was lost: the callback came too late
	OutputUnderflow                  // the output had gaps: the callback came too late
	OutputOverflow                   // output was discarded
)

// PipelineConfig describes a Pipeline.
type PipelineConfig struct {
	Rate        int // frames per second of input and output
	InChannels  int // interleaved channels of the input, and of the processing
	OutChannels int // interleaved channels of the device output, 0 for none
	// Hop is the processing block in frames (default: 10 ms, Rate/100).
	Hop int
	// FramesPerBuffer is the fixed number of frames of every callback, or 0
	// when it varies. It sets the FIFO latency (see Pipeline.FIFOLatency).
	FramesPerBuffer int
	// MaxLoad is the share of a callback's duration that processing may
	// take; blocks that would not fit are bypassed (default 0.8). Above 1 it
	// lets a callback run late, relying on the device's buffering; +Inf never
	// bypasses.
	MaxLoad float64
	// ProbeEvery is how many bypassed blocks in a row are followed by one
	// processed block, to find out whether the overload is over (default 25).
	ProbeEvery int
	// NewProcessor makes the processor. The Pipeline calls it twice: once for
	// a silent rehearsal that finds the processor's buffering, then for use.
	NewProcessor func() (Processor, error)
	// Limit stops the pipeline after this many frames (0: no limit). The
	// output is silent and nothing more is recorded after it.
	Limit int64
	// Clock times the blocks (default: the system's monotonic clock).
	Clock Clock
	// Record, if not nil, receives the enhanced frames (InChannels) exactly as
	// they go to the output, RecordRaw the input as captured.
	Record, RecordRaw *Ring
}

// Pipeline connects a device callback to a Processor in real time.
//
// Input goes through a FIFO into blocks of Hop frames for the processor, and
// the processed frames come out at a fixed delay, Latency() frames after the
// input, whatever the callback size: output frame t is the enhanced input
// frame t − Latency(). When the processor is too slow for the callback's
// time budget (MaxLoad), blocks are bypassed: the input of those frames goes
// out unprocessed but at the same delay, and Overloads counts them, so the
// latency never grows under overload.
//
// Process runs on the audio thread; every other method may be called from
// any goroutine while it runs.
type Pipeline struct {
	rate, ch, outCh, hop int
	lat, lp, fifoLat     int
	maxLoad              float64
	probeEvery           int
	proc                 Processor
	stats                StatsProcessor
	now                  Clock
	rec, raw             *Ring
	limit                int64
	maxChunk             int

	mask      int64
	dry, wet  []float32 // ring of input frames and of enhanced frames, by timeline frame
	tag       []int64   // timeline frame held in each wet slot, or -1
	xIn, xBlk int64     // input frames received; start of the next block
	tOut      int64     // output frames given
	procIn    int64     // frames given to the processor
	procOut   int64     // frames received from the processor
	skips     [64]skipEvent
	skipHead  int
	skipTail  int
	skipSum   int64 // skipped frames before the processor input now mapped
	blk, pout []float32
	recBuf    []float32
	recent    [16]int64 // durations of the last processed blocks, ns
	recentN   int
	skipRun   int

	done      atomic.Bool
	frames    atomic.Int64
	callbacks atomic.Int64
	flags     [4]atomic.Int64
	blocks    atomic.Int64
	overloads atomic.Int64
	dryFrames atomic.Int64
	lateFrame atomic.Int64
	inPeak    atomic.Uint32
	outPeak   atomic.Uint32
	presSum   atomic.Int64 // speech presence × 1e6, summed over blocks
	suppSum   atomic.Int64 // suppression dB × 1e3, summed over blocks
	statN     atomic.Int64
	times     Histogram
}

// skipEvent records hop frames bypassed when the processor had received at frames.
type skipEvent struct{ at, n int64 }

// NewPipeline builds a pipeline; it runs the processor on a second of silence
// first to find how far its output count lags its input (resampler look-ahead,
// hop alignment), which with the FIFO and the processor's latency fixes
// Latency().
func NewPipeline(cfg PipelineConfig) (*Pipeline, error) {
	if cfg.Rate < 1 || cfg.InChannels < 1 || cfg.OutChannels < 0 {
		return nil, fmt.Errorf("pipeline needs a positive rate and channel count, got %d Hz, %d in, %d out", cfg.Rate, cfg.InChannels, cfg.OutChannels)
	}
	if cfg.NewProcessor == nil {
		return nil, errors.New("pipeline needs a processor")
	}
	if cfg.Hop <= 0 {
		cfg.Hop = max(cfg.Rate/100, 1)
	}
	if !(cfg.MaxLoad > 0) {
		cfg.MaxLoad = 0.8
	}
	if cfg.ProbeEvery <= 0 {
		cfg.ProbeEvery = 25
	}
	if cfg.FramesPerBuffer < 0 {
		return nil, fmt.Errorf("frames per buffer %d must be ≥ 0", cfg.FramesPerBuffer)
	}
	p := &Pipeline{
		rate: cfg.Rate, ch: cfg.InChannels, outCh: cfg.OutChannels, hop: cfg.Hop,
		maxLoad: cfg.MaxLoad, probeEvery: cfg.ProbeEvery, rec: cfg.Record, raw: cfg.RecordRaw,
		limit: cfg.Limit, now: cfg.Clock,
	}
	if p.now == nil {
		p.now = wallClock()
	}
	probe, err := cfg.NewProcessor()
	if err != nil {
		return nil, err
	}
	deficit := rehearse(probe, cfg.Hop, cfg.InChannels, cfg.Rate)
	if p.proc, err = cfg.NewProcessor(); err != nil {
		return nil, err
	}
	p.stats, _ = p.proc.(StatsProcessor)
	p.lp = int(math.Round(p.proc.Latency()))

	// Worst shortfall of whole blocks behind the callback's input.
	align := cfg.Hop - 1
	if n := cfg.FramesPerBuffer; n > 0 {
		align = cfg.Hop - gcd(n, cfg.Hop)
	}
	p.fifoLat = deficit + align
	p.lat = p.lp + p.fifoLat
	p.maxChunk = 4096
	if cfg.FramesPerBuffer > 0 {
		p.maxChunk = cfg.FramesPerBuffer
	}
	size := int64(1)
	for size < int64(p.lat+p.maxChunk+2*p.hop+1) {
		size <<= 1
	}
	p.mask = size - 1
	p.dry = make([]float32, size*int64(p.ch))
	p.wet = make([]float32, size*int64(p.ch))
	p.tag = make([]int64, size)
	for i := range p.tag {
		p.tag[i] = -1
	}
	p.blk = make([]float32, p.hop*p.ch)
	// Room for more than a block of output; the processor may flush a little more.
	p.pout = make([]float32, 0, 8*p.hop*p.ch+16*p.ch)
	p.recBuf = make([]float32, p.maxChunk*p.ch)
	return p, nil
}

// rehearse runs the processor on a second of silence in blocks of hop frames
// and returns the largest number of frames by which its output count fell
// behind its input count.
func rehearse(proc Processor, hop, ch, rate int) int {
	blk := make([]float32, hop*ch)
	var out []float32
	var in, got int64
	worst := 0
	for i := 0; i < max(100, 2*rate/hop); i++ {
		out = proc.Process(out[:0], blk)
		in += int64(hop)
		got += int64(len(out) / ch)
		worst = max(worst, int(in-got))
	}
	return worst
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Hop returns the processing block in frames.
func (p *Pipeline) Hop() int { return p.hop }

// Latency returns the delay of the output behind the input in frames: the
// processor's latency plus FIFOLatency.
func (p *Pipeline) Latency() int { return p.lat }

// FIFOLatency returns the frames of delay added on top of the processor's
// own latency, to cover its internal buffering and the mismatch between
// callback and block sizes.
func (p *Pipeline) FIFOLatency() int { return p.fifoLat }

// ProcessorLatency returns the processor's latency in whole frames.
func (p *Pipeline) ProcessorLatency() int { return p.lp }

// Done reports whether the pipeline has reached its Limit.
func (p *Pipeline) Done() bool { return p.done.Load() }

// Process is the audio callback: it takes the interleaved input frames in
// and fills out (OutChannels interleaved, len(out) frames equal to the
// input's; nil when there is no output device) with the output. flags are
// the callback's status flags (InputOverflow, …). It allocates nothing and
// takes no lock.
func (p *Pipeline) Process(out, in []float32, flags uint) {
	start := p.now()
	n := len(in) / p.ch
	if p.done.Load() {
		clear(out)
		return
	}
	p.callbacks.Add(1)
	for i := range p.flags {
		if flags&(1<<i) != 0 {
			p.flags[i].Add(1)
		}
	}
	if p.limit > 0 && p.xIn+int64(n) >= p.limit {
		k := int(p.limit - p.xIn)
		if p.outCh > 0 {
			clear(out[k*p.outCh:])
			out = out[:k*p.outCh]
		}
		in, n = in[:k*p.ch], k
	}
	budget := time.Duration(math.MaxInt64)
	if !math.IsInf(p.maxLoad, 1) {
		budget = time.Duration(p.maxLoad * float64(n) / float64(p.rate) * float64(time.Second))
	}
	for n > 0 {
		k := min(n, p.maxChunk)
		var o []float32
		if p.outCh > 0 {
			o, out = out[:k*p.outCh], out[k*p.outCh:]
		}
		p.chunk(o, in[:k*p.ch], start, budget)
		in, n = in[k*p.ch:], n-k
	}
	if p.limit > 0 && p.xIn >= p.limit {
		p.done.Store(true)
	}
}

// chunk handles at most maxChunk frames of a callback.
func (p *Pipeline) chunk(out, in []float32, start, budget time.Duration) {
	n, ch := len(in)/p.ch, p.ch
	if p.raw != nil {
		p.raw.Write(in)
	}
	storePeak(&p.inPeak, in)
	for i := 0; i < n; i++ {
		j := ((p.xIn + int64(i)) & p.mask) * int64(ch)
		copy(p.dry[j:j+int64(ch)], in[i*ch:(i+1)*ch])
	}
	p.xIn += int64(n)

	for p.xIn-p.xBlk >= int64(p.hop) {
		for i := 0; i < p.hop; i++ {
			j := ((p.xBlk + int64(i)) & p.mask) * int64(ch)
			copy(p.blk[i*ch:(i+1)*ch], p.dry[j:j+int64(ch)])
		}
		p.xBlk += int64(p.hop)
		skip, probe := p.overloaded(p.now()-start, budget)
		if skip {
			p.skip()
			continue
		}
		t0 := p.now()
		p.pout = p.proc.Process(p.pout[:0], p.blk)
		d := p.now() - t0
		p.procIn += int64(p.hop)
		p.times.Record(d)
		if probe && t0-start+d <= budget {
			p.recentN = 0 // the overload is over: forget it
		}
		p.recent[p.recentN%len(p.recent)] = int64(d)
		p.recentN++
		p.blocks.Add(1)
		if p.stats != nil {
			pr, sd := p.stats.FrameStats()
			p.presSum.Add(int64(float64(pr) * 1e6))
			p.suppSum.Add(int64(float64(sd) * 1e3))
			p.statN.Add(1)
		}
		p.place(p.pout)
	}

	rec := p.recBuf[:n*ch]
	var dry int64
	for i := 0; i < n; i++ {
		x := p.tOut + int64(i) - int64(p.lat)
		f := rec[i*ch : (i+1)*ch]
		switch {
		case x < 0:
			clear(f)
		case p.tag[x&p.mask] == x:
			j := (x & p.mask) * int64(ch)
			copy(f, p.wet[j:j+int64(ch)])
		default:
			j := (x & p.mask) * int64(ch)
			copy(f, p.dry[j:j+int64(ch)])
			dry++
		}
	}
	p.tOut += int64(n)
	if dry > 0 {
		p.dryFrames.Add(dry)
	}
	if p.rec != nil {
		p.rec.Write(rec)
	}
	if p.outCh > 0 {
		mapChannels(out, rec, ch, p.outCh)
		storePeak(&p.outPeak, out)
	} else {
		storePeak(&p.outPeak, rec)
	}
	p.frames.Store(p.tOut)
}

// overloaded reports whether the next block should be bypassed: when the
// recent cost of a block (the second largest of the last 16, so that one
// stray slow block does not count) would take the callback past its budget.
// After ProbeEvery bypassed blocks in a row one block is processed anyway
// (probe), to find out whether the overload is over.
func (p *Pipeline) overloaded(elapsed, budget time.Duration) (skip, probe bool) {
	var a, b int64 // largest and second largest recent durations
	for i := 0; i < min(p.recentN, len(p.recent)); i++ {
		v := p.recent[i]
		if v > a {
			a, b = v, a
		} else if v > b {
			b = v
		}
	}
	if elapsed <= budget-time.Duration(b) {
		p.skipRun = 0
		return false, false
	}
	if p.skipRun >= p.probeEvery {
		p.skipRun = 0
		return false, true
	}
	p.skipRun++
	return true, false
}

// skip bypasses the block just taken from the FIFO: the processor never sees
// it, and the frames it would have given are taken from the dry input.
func (p *Pipeline) skip() {
	p.overloads.Add(1)
	last := (p.skipTail - 1 + len(p.skips)) % len(p.skips)
	if p.skipHead != p.skipTail && p.skips[last].at == p.procIn {
		p.skips[last].n += int64(p.hop)
		return
	}
	next := (p.skipTail + 1) % len(p.skips)
	if next == p.skipHead { // full: fold into the newest event
		p.skips[last].n += int64(p.hop)
		return
	}
	p.skips[p.skipTail] = skipEvent{at: p.procIn, n: int64(p.hop)}
	p.skipTail = next
}

// place files the processor's output frames under the timeline input frame
// each belongs to: processor output frame q+lp is the enhanced processor input
// frame q, which is timeline frame q plus the frames bypassed before it.
func (p *Pipeline) place(y []float32) {
	ch := p.ch
	nf := len(y) / ch
	oldest := p.tOut - int64(p.lat)
	for i := 0; i < nf; i++ {
		q := p.procOut + int64(i) - int64(p.lp)
		if q < 0 {
			continue
		}
		for p.skipHead != p.skipTail && p.skips[p.skipHead].at <= q {
			p.skipSum += p.skips[p.skipHead].n
			p.skipHead = (p.skipHead + 1) % len(p.skips)
		}
		x := q + p.skipSum
		if x < oldest {
			p.lateFrame.Add(1)
			continue
		}
		j := (x & p.mask) * int64(ch)
		copy(p.wet[j:j+int64(ch)], y[i*ch:(i+1)*ch])
		p.tag[x&p.mask] = x
	}
	p.procOut += int64(nf)
}

// mapChannels writes the frames of src (sc channels) to dst (dc channels):
// the same channels when the counts match, a mono source to every channel, an
// average for a mono destination, else the first channels and silence.
func mapChannels(dst, src []float32, sc, dc int) {
	n := len(src) / sc
	switch {
	case sc == dc:
		copy(dst, src)
	case sc == 1:
		for i := 0; i < n; i++ {
			for c := 0; c < dc; c++ {
				dst[i*dc+c] = src[i]
			}
		}
	case dc == 1:
		inv := 1 / float32(sc)
		for i := 0; i < n; i++ {
			var s float32
			for c := 0; c < sc; c++ {
				s += src[i*sc+c]
			}
			dst[i] = s * inv
		}
	default:
		for i := 0; i < n; i++ {
			for c := 0; c < dc; c++ {
				v := float32(0)
				if c < sc {
					v = src[i*sc+c]
				}
				dst[i*dc+c] = v
			}
		}
	}
}

// storePeak raises the peak held in a (float32 bits) to the largest |x| of buf.
func storePeak(a *atomic.Uint32, buf []float32) {
	var m float32
	for _, v := range buf {
		m = max(m, v, -v)
	}
	for {
		old := a.Load()
		if m <= math.Float32frombits(old) || a.CompareAndSwap(old, math.Float32bits(m)) {
			return
		}
	}
}

// Counters are the pipeline's totals at one moment.
type Counters struct {
	Frames          int64 // output frames given (the stream's length)
	Callbacks       int64 // device callbacks
	InputUnderflow  int64 // callbacks flagged with each status
	InputOverflow   int64
	OutputUnderflow int64
	OutputOverflow  int64
	Blocks          int64 // blocks processed
	Overloads       int64 // blocks bypassed because processing was too slow
	DryFrames       int64 // output frames that went out unprocessed (bypassed blocks)
	LateFrames      int64 // processed frames that came after their time and were dropped
	RecordDropped   int64 // enhanced samples the recording could not take
	RawDropped      int64 // captured samples the raw recording could not take
}

// Xruns returns the number of callbacks with any device status flag.
func (c Counters) Xruns() int64 {
	return c.InputUnderflow + c.InputOverflow + c.OutputUnderflow + c.OutputOverflow
}

// Counters returns the totals so far.
func (p *Pipeline) Counters() Counters {
	c := Counters{
		Frames: p.frames.Load(), Callbacks: p.callbacks.Load(),
		InputUnderflow: p.flags[0].Load(), InputOverflow: p.flags[1].Load(),
		OutputUnderflow: p.flags[2].Load(), OutputOverflow: p.flags[3].Load(),
		Blocks: p.blocks.Load(), Overloads: p.overloads.Load(),
		DryFrames: p.dryFrames.Load(), LateFrames: p.lateFrame.Load(),
	}
	if p.rec != nil {
		c.RecordDropped = p.rec.Dropped()
	}
	if p.raw != nil {
		c.RawDropped = p.raw.Dropped()
	}
	return c
}

// ProcessingTimes returns the histogram of the processor's time per block.
func (p *Pipeline) ProcessingTimes() HistSnapshot { return p.times.Snapshot() }

// Levels are the figures of the pipeline since the previous TakeLevels.
type Levels struct {
	InPeak, OutPeak float32 // largest |sample| of the input and the output
	SpeechPresence  float32 // mean over the blocks processed, 0 … 1
	SuppressionDB   float32 // mean over the blocks processed, ≤ 0
	Blocks          int64   // blocks processed
}

// TakeLevels returns the levels since the previous call and starts anew.
func (p *Pipeline) TakeLevels() Levels {
	l := Levels{
		InPeak:  math.Float32frombits(p.inPeak.Swap(0)),
		OutPeak: math.Float32frombits(p.outPeak.Swap(0)),
	}
	n := p.statN.Swap(0)
	ps, ss := p.presSum.Swap(0), p.suppSum.Swap(0)
	if n > 0 {
		l.SpeechPresence = float32(float64(ps) / 1e6 / float64(n))
		l.SuppressionDB = float32(float64(ss) / 1e3 / float64(n))
		l.Blocks = n
	}
	return l
}
