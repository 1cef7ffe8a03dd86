package live

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/dsp/fourier"
)

// ImpulseResult is where an impulse came out of a processor.
type ImpulseResult struct {
	DelayFrames int     // output frame of the largest |sample| minus the impulse's frame
	Peak        float64 // that sample's value
	Expected    float64 // the processor's Latency()
}

// OK reports whether the measured delay is the expected latency (±0.5 frame).
func (r ImpulseResult) OK() bool { return math.Abs(float64(r.DelayFrames)-r.Expected) <= 0.5 }

// ImpulseDelay pushes a unit impulse on channel 0 (at frame rate/10, after
// silence) through a fresh processor of ch channels and finds the frame where
// the output peaks.
func ImpulseDelay(proc Processor, ch, rate int) ImpulseResult {
	at := rate / 10
	n := at + rate/2
	in := make([]float32, n*ch)
	in[at*ch] = 1
	var out []float32
	hop := max(rate/100, 1)
	for i := 0; i < n; i += hop {
		k := min(hop, n-i)
		out = proc.Process(out, in[i*ch:(i+k)*ch])
	}
	best, bi := 0.0, -1
	for i := 0; i < len(out)/ch; i++ {
		if v := math.Abs(float64(out[i*ch])); v > best {
			best, bi = v, i
		}
	}
	r := ImpulseResult{DelayFrames: -1, Expected: proc.Latency()}
	if bi >= 0 {
		r.DelayFrames, r.Peak = bi-at, float64(out[bi*ch])
	}
	return r
}

// ComputeResult is the processing time per block of a processor.
type ComputeResult struct {
	Blocks   int
	Hop      int // frames per block
	P50, P90 time.Duration
	P99, Max time.Duration
	Mean     time.Duration
	// RTF is the real-time factor: processing time over audio time.
	RTF float64
}

// MeasureCompute runs proc over signal (interleaved, ch channels) in blocks
// of hop frames, the way the live pipeline does, and times each block.
func MeasureCompute(proc Processor, signal []float32, ch, rate, hop int) ComputeResult {
	var h Histogram
	var out []float32
	frames := len(signal) / ch
	var total time.Duration
	r := ComputeResult{Hop: hop}
	for i := 0; i+hop <= frames; i += hop {
		t0 := time.Now()
		out = proc.Process(out[:0], signal[i*ch:(i+hop)*ch])
		d := time.Since(t0)
		h.Record(d)
		total += d
		r.Blocks++
	}
	s := h.Snapshot()
	r.P50, r.P90, r.P99, r.Max, r.Mean = s.Quantile(0.5), s.Quantile(0.9), s.Quantile(0.99), s.Max, s.Mean()
	if r.Blocks > 0 {
		r.RTF = total.Seconds() / (float64(r.Blocks*hop) / float64(rate))
	}
	return r
}

// mlsMasks are Galois feedback masks of maximal-length LFSRs, by order.
var mlsMasks = map[int]uint32{
	10: 0x240, 11: 0x500, 12: 0xE08, 13: 0x1C80, 14: 0x3802, 15: 0x6000, 16: 0xB400, 17: 0x12000,
}

// MLS returns the maximal-length sequence of the given order (10 … 17) as
// ±level samples, 2^order − 1 long.
func MLS(order int, level float32) []float32 {
	mask, ok := mlsMasks[order]
	if !ok {
		panic(fmt.Sprintf("live: no MLS of order %d", order))
	}
	n := 1<<order - 1
	x := make([]float32, n)
	state := uint32(1)
	for i := range x {
		bit := state & 1
		state >>= 1
		if bit != 0 {
			state ^= mask
			x[i] = level
		} else {
			x[i] = -level
		}
	}
	return x
}

// Correlation is the best match of a probe inside a capture.
type Correlation struct {
	Lag        float64 // frames, refined between samples
	Coeff      float64 // normalised correlation at the peak, −1 … 1 (1: an exact, scaled copy)
	PeakRatio  float64 // |peak| over the largest |value| more than 1 ms away
	IntegerLag int
}

// Correlate finds the lag in [0, maxLag] at which probe best matches x
// (x[lag:lag+len(probe)] ≈ a·probe), by FFT cross-correlation.
func Correlate(x, probe []float32, maxLag, rate int) Correlation {
	np := len(probe)
	maxLag = min(maxLag, len(x)-np)
	if maxLag < 0 || np == 0 {
		return Correlation{}
	}
	seg := x[:maxLag+np]
	n := 1
	for n < len(seg)+np {
		n <<= 1
	}
	fft := fourier.NewFFT(n)
	a := make([]float64, n)
	b := make([]float64, n)
	for i, v := range seg {
		a[i] = float64(v)
	}
	for i, v := range probe {
		b[i] = float64(v)
	}
	A := fft.Coefficients(nil, a)
	B := fft.Coefficients(nil, b)
	for i := range A {
		A[i] *= complex(real(B[i]), -imag(B[i]))
	}
	c := fft.Sequence(nil, A) // c[lag]·n = Σ probe[i]·x[i+lag]
	// Energy of each window of x, by running sums.
	var pe float64
	for _, v := range probe {
		pe += float64(v) * float64(v)
	}
	cum := make([]float64, len(seg)+1)
	for i, v := range seg {
		cum[i+1] = cum[i] + float64(v)*float64(v)
	}
	best, bl := -1.0, 0
	coeff := make([]float64, maxLag+1)
	for lag := 0; lag <= maxLag; lag++ {
		e := cum[lag+np] - cum[lag]
		if e <= 0 || pe <= 0 {
			continue
		}
		coeff[lag] = c[lag] / float64(n) / math.Sqrt(pe*e)
		if v := math.Abs(coeff[lag]); v > best {
			best, bl = v, lag
		}
	}
	if best < 0 {
		return Correlation{}
	}
	r := Correlation{IntegerLag: bl, Lag: float64(bl), Coeff: coeff[bl]}
	if bl > 0 && bl < maxLag {
		y0, y1, y2 := math.Abs(c[bl-1]), math.Abs(c[bl]), math.Abs(c[bl+1])
		if d := y0 - 2*y1 + y2; d < 0 {
			r.Lag += 0.5 * (y0 - y2) / d
		}
	}
	guard := max(rate/1000, 2)
	second := 0.0
	for lag, v := range coeff {
		if lag < bl-guard || lag > bl+guard {
			second = max(second, math.Abs(v))
		}
	}
	r.PeakRatio = math.Inf(1)
	if second > 0 {
		r.PeakRatio = best / second
	}
	return r
}

// RoundTripConfig describes a round-trip measurement.
type RoundTripConfig struct {
	Stream StreamConfig // input and output devices, rate, buffer, latency
	// Duplex measures inside one full-duplex stream, as live runs: frame
	// exact, but with some devices (ALSA's PulseAudio plugin) the result
	// changes from run to run by whole buffers, as the two directions start
	// at different moments. Without it the input and the output run as two
	// streams, aligned by their callbacks' clock: the devices' own round trip.
	Duplex bool
	// LevelDB is the probe's level in dBFS (default −20).
	LevelDB float64
	// Repeat is the number of probes (default 3).
	Repeat int
	// MaxDelay bounds the delay searched (default 0.5 s).
	MaxDelay time.Duration
	// Threshold is the normalised correlation a probe must reach to count as
	// found (default 0.3).
	Threshold float64
}

// ProbeResult is one probe's measurement.
type ProbeResult struct {
	DelayFrames float64 `json:"delay_frames"`
	DelayMs     float64 `json:"delay_ms"`
	Confidence  float64 `json:"confidence"`
	PeakRatio   float64 `json:"peak_ratio"`
	Found       bool    `json:"found"`
}

// RoundTrip is the result of MeasureRoundTrip.
type RoundTrip struct {
	Mode        string        `json:"mode"`                   // "split" or "duplex"
	Found       bool          `json:"found"`                  // most probes were found
	DelayFrames float64       `json:"delay_frames,omitempty"` // median of the found probes (absent when not found)
	DelayMs     float64       `json:"delay_ms,omitempty"`
	SpreadMs    float64       `json:"spread_ms"`  // largest minus smallest found delay
	Confidence  float64       `json:"confidence"` // median normalised correlation (the best one when not found)
	Probes      []ProbeResult `json:"probes"`
	ReportedIn  time.Duration `json:"-"`
	ReportedOut time.Duration `json:"-"`
	Xruns       int64         `json:"xruns"`
	ProbeFrames int           `json:"probe_frames"`
}

// rtPlan is the probe schedule of a measurement.
type rtPlan struct {
	probe          []float32
	play           []float32
	lead, spacing  int
	maxLag, repeat int
}

func newPlan(cfg RoundTripConfig, rate int) rtPlan {
	order := int(math.Round(math.Log2(0.3 * float64(rate))))
	order = max(10, min(17, order))
	p := rtPlan{
		probe:  MLS(order, float32(math.Pow(10, cfg.LevelDB/20))),
		maxLag: int(cfg.MaxDelay.Seconds() * float64(rate)),
		lead:   rate, // a second for the devices (and a sound server) to settle
		repeat: cfg.Repeat,
	}
	p.spacing = len(p.probe) + p.maxLag + rate/10
	p.play = make([]float32, p.lead+p.repeat*p.spacing)
	for r := 0; r < p.repeat; r++ {
		copy(p.play[p.lead+r*p.spacing:], p.probe)
	}
	return p
}

// MeasureRoundTrip plays MLS probes on the output device while capturing the
// input, and finds each probe's delay from output to input by
// cross-correlation: the round trip through the devices (and whatever
// connects them), in frames at the stream's rate, from the moment the
// program hands a frame to the output to the moment it reads it back.
func MeasureRoundTrip(cfg RoundTripConfig) (RoundTrip, error) {
	sc := cfg.Stream
	if sc.Input == nil || sc.Output == nil {
		return RoundTrip{}, errors.New("a round trip needs an input and an output device")
	}
	if cfg.LevelDB == 0 {
		cfg.LevelDB = -20
	}
	if cfg.Repeat <= 0 {
		cfg.Repeat = 3
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 500 * time.Millisecond
	}
	if cfg.Threshold <= 0 {
		cfg.Threshold = 0.3
	}
	plan := newPlan(cfg, sc.Rate)
	var (
		res    RoundTrip
		probes []probeMeas
		err    error
	)
	if cfg.Duplex {
		res.Mode = "duplex"
		probes, err = measureDuplex(&res, sc, plan)
	} else {
		res.Mode = "split"
		probes, err = measureSplit(&res, sc, plan)
	}
	if err != nil {
		return res, err
	}
	res.ProbeFrames = len(plan.probe)
	var found []ProbeResult
	for _, m := range probes {
		pr := ProbeResult{
			DelayFrames: round3(m.delay), DelayMs: round3(1000 * m.delay / float64(sc.Rate)),
			Confidence: round3(m.coeff), PeakRatio: round3(min(m.ratio, 1e6)),
		}
		pr.Found = math.Abs(m.coeff) >= cfg.Threshold
		res.Probes = append(res.Probes, pr)
		if pr.Found {
			found = append(found, pr)
		}
	}
	if 2*len(found) > cfg.Repeat {
		res.Found = true
		slices.SortFunc(found, func(a, b ProbeResult) int { return cmpFloat(a.DelayFrames, b.DelayFrames) })
		med := found[len(found)/2]
		res.DelayFrames, res.DelayMs = med.DelayFrames, med.DelayMs
		res.SpreadMs = round3(found[len(found)-1].DelayMs - found[0].DelayMs)
		cs := make([]float64, len(found))
		for i, f := range found {
			cs[i] = f.Confidence
		}
		slices.Sort(cs)
		res.Confidence = cs[len(cs)/2]
	} else {
		// The best correlation seen, to show how far from a loop it was.
		for _, p := range res.Probes {
			res.Confidence = max(res.Confidence, math.Abs(p.Confidence))
		}
	}
	return res, nil
}

// probeMeas is one probe's delay in frames, correlation and peak ratio.
type probeMeas struct{ delay, coeff, ratio float64 }

// waitFor polls done until it is true, failing when progress (a frame
// count) stops for stallTimeout.
func waitFor(done func() bool, progress func() int64, sc StreamConfig) error {
	last, lastChange := int64(-1), time.Now()
	for !done() {
		time.Sleep(10 * time.Millisecond)
		if p := progress(); p != last {
			last, lastChange = p, time.Now()
		} else if time.Since(lastChange) > stallTimeout {
			return fmt.Errorf("%w: no audio from %s for %v", ErrDeviceStalled, streamName(sc), stallTimeout)
		}
	}
	return nil
}

// stallTimeout is how long a device may deliver nothing before it counts as
// failed. PulseAudio's null sink can take 2 s to wake up when idle.
const stallTimeout = 5 * time.Second

// measureDuplex plays and captures in one full-duplex stream: output frame k
// and input frame k go through the same callback.
func measureDuplex(res *RoundTrip, sc StreamConfig, plan rtPlan) (probes []probeMeas, err error) {
	total := len(plan.play)
	capt := make([]float32, total)
	var pos, xruns atomic.Int64
	inCh, outCh := sc.InChannels, sc.OutChannels
	st, err := OpenStream(sc, func(out, in []float32, flags uint) {
		if flags != 0 {
			xruns.Add(1)
		}
		p := int(pos.Load())
		n := len(in) / inCh
		for i := 0; i < n; i++ {
			var v float32
			if p+i < total {
				capt[p+i] = in[i*inCh]
				v = plan.play[p+i]
			}
			for c := 0; c < outCh; c++ {
				out[i*outCh+c] = v
			}
		}
		pos.Store(int64(p + n))
	})
	if err != nil {
		return nil, err
	}
	res.ReportedIn, res.ReportedOut = st.Latencies()
	if err := st.Start(); err != nil {
		st.Stop(2 * time.Second)
		return nil, err
	}
	err = waitFor(func() bool { return pos.Load() >= int64(total) }, pos.Load, sc)
	if serr := st.Stop(3 * time.Second); err == nil {
		err = serr
	}
	if err != nil {
		return nil, err
	}
	res.Xruns = xruns.Load()
	np := len(plan.probe)
	for r := 0; r < plan.repeat; r++ {
		start := plan.lead + r*plan.spacing
		c := Correlate(capt[start:min(total, start+np+plan.maxLag)], plan.probe, plan.maxLag, sc.Rate)
		probes = append(probes, probeMeas{c.Lag, c.Coeff, c.PeakRatio})
	}
	return probes, nil
}

// measureSplit runs the input and the output as two streams (the input
// first, until it delivers steadily) and aligns them by the time of their
// callbacks: in steady state a callback for output frames [k, …) runs at
// Co + k/rate and one that delivers input frames […, j) at Ci + j/rate. Co
// and Ci are medians over the callbacks within half a second of each probe,
// so that start-up bursts (a sound server waking up) and slow drift do not
// count.
func measureSplit(res *RoundTrip, sc StreamConfig, plan rtPlan) (probes []probeMeas, err error) {
	rate := float64(sc.Rate)
	total := len(plan.play)
	capLen := total + 4*sc.Rate + plan.maxLag // the input starts first and ends last
	capt := make([]float32, capLen)
	const maxTimes = 1 << 16
	in, out := newCallbackLog(maxTimes), newCallbackLog(maxTimes)
	var ipos, opos, xruns atomic.Int64
	t0 := time.Now()
	inCh, outCh := sc.InChannels, sc.OutChannels
	isc, osc := sc, sc
	isc.Output, osc.Input = nil, nil
	ist, err := OpenStream(isc, func(_, buf []float32, flags uint) {
		now := time.Since(t0).Seconds()
		if flags != 0 {
			xruns.Add(1)
		}
		p := int(ipos.Load())
		n := len(buf) / inCh
		for i := 0; i < n && p+i < capLen; i++ {
			capt[p+i] = buf[i*inCh]
		}
		in.add(p+n, now-float64(p+n)/rate)
		ipos.Store(int64(p + n))
	})
	if err != nil {
		return nil, err
	}
	defer ist.Stop(3 * time.Second)
	ost, err := OpenStream(osc, func(buf, _ []float32, flags uint) {
		now := time.Since(t0).Seconds()
		if flags != 0 {
			xruns.Add(1)
		}
		p := int(opos.Load())
		n := len(buf) / outCh
		for i := 0; i < n; i++ {
			var v float32
			if p+i < total {
				v = plan.play[p+i]
			}
			for c := 0; c < outCh; c++ {
				buf[i*outCh+c] = v
			}
		}
		out.add(p, now-float64(p)/rate)
		opos.Store(int64(p + n))
	})
	if err != nil {
		return nil, err
	}
	defer ost.Stop(3 * time.Second)
	res.ReportedIn, _ = ist.Latencies()
	_, res.ReportedOut = ost.Latencies()
	if err := ist.Start(); err != nil {
		return nil, err
	}
	// Wait for the input to flow at its rate for 0.3 s (at most 2 s).
	steady := func() bool {
		n := in.n.Load()
		if n < 2 {
			return false
		}
		k := int(n - 1)
		now := time.Since(t0).Seconds()
		j := in.frames[k]
		// the last callback is recent and the input kept up over the last 0.3 s
		for i := k; i >= 0; i-- {
			if float64(j-in.frames[i])/rate >= 0.3 {
				return now-(in.offs[k]+float64(j)/rate) < 0.1 && math.Abs((in.offs[k]-in.offs[i])) < 0.02
			}
		}
		return false
	}
	deadline := time.Now().Add(2 * time.Second)
	if err := waitFor(func() bool { return steady() || time.Now().After(deadline) }, ipos.Load, isc); err != nil {
		return nil, err
	}
	if err := ost.Start(); err != nil {
		return nil, err
	}
	if err := waitFor(func() bool { return opos.Load() >= int64(total) }, opos.Load, osc); err != nil {
		return nil, err
	}
	// Capture what the last probe needs: its end plus the longest delay.
	end := ipos.Load() + int64(plan.maxLag) + int64(sc.Rate/2)
	if err := waitFor(func() bool { return ipos.Load() >= min(end, int64(capLen)) }, ipos.Load, isc); err != nil {
		return nil, err
	}
	if err := ost.Stop(3 * time.Second); err != nil {
		return nil, err
	}
	if err := ist.Stop(3 * time.Second); err != nil {
		return nil, err
	}
	res.Xruns = xruns.Load()
	if in.n.Load() < 3 || out.n.Load() < 3 {
		return nil, errors.New("too few callbacks to align the input and output streams")
	}
	np := len(plan.probe)
	got := int(min(ipos.Load(), int64(capLen)))
	half := sc.Rate / 2
	for r := 0; r < plan.repeat; r++ {
		kp := plan.lead + r*plan.spacing
		co := out.offsetNear(kp, half, qOut)
		// First with the input's offset over the whole run, then with the
		// offset near where the probe came back.
		ci := in.offsetNear(-1, 0, qIn)
		var m probeMeas
		ok := true
		for pass := 0; pass < 2 && ok; pass++ {
			shift := (co - ci) * rate // input index of the moment output frame 0 was handed over
			cs := int(math.Floor(float64(kp) + shift))
			if cs < 0 || cs+np > got {
				ok = false
				break
			}
			c := Correlate(capt[cs:min(got, cs+np+plan.maxLag)], plan.probe, plan.maxLag, sc.Rate)
			m = probeMeas{float64(cs) + c.Lag - float64(kp) - shift, c.Coeff, c.PeakRatio}
			ci = in.offsetNear(cs+c.IntegerLag, half, qIn)
		}
		if !ok {
			m = probeMeas{}
		}
		probes = append(probes, m)
	}
	return probes, nil
}

// callbackLog records, from an audio callback, a frame index and the time
// offset it implies (time − frame/rate), without allocating.
type callbackLog struct {
	frames []int
	offs   []float64
	n      atomic.Int64
}

func newCallbackLog(n int) *callbackLog {
	return &callbackLog{frames: make([]int, n), offs: make([]float64, n)}
}

func (l *callbackLog) add(frame int, off float64) {
	if k := l.n.Load(); int(k) < len(l.frames) {
		l.frames[k], l.offs[k] = frame, off
		l.n.Store(k + 1)
	}
}

// offsetNear returns the q-quantile of the offsets of the callbacks whose
// frame is within half of center (of all of them when center < 0 or too few are).
func (l *callbackLog) offsetNear(center, half int, q float64) float64 {
	n := int(l.n.Load())
	var xs []float64
	if center >= 0 {
		for i := 0; i < n; i++ {
			if l.frames[i] >= center-half && l.frames[i] <= center+half {
				xs = append(xs, l.offs[i])
			}
		}
	}
	if len(xs) < 3 {
		xs = append(xs[:0], l.offs[:n]...)
	}
	slices.Sort(xs)
	return xs[int(q*float64(len(xs)-1))]
}

// Quantiles of the callbacks' offsets taken as the streams' clocks. Sound
// servers call back in bursts; an input callback never comes before its
// frames were captured and an output callback never after its frames were
// due, so the earliest input and the latest output offsets are closest to
// the devices' own timelines.
var qIn, qOut = 0.1, 0.9

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
