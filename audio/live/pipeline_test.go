package live

import (
	"math/rand/v2"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when told: the tests' time, so that
// no overload decision depends on the machine's speed.
type fakeClock struct{ t time.Duration }

func (c *fakeClock) now() time.Duration { return c.t }

// frozen is a Clock that never moves: processing costs nothing, and no block
// is ever bypassed.
func frozen() time.Duration { return 0 }

// delayProc is a Processor whose output is its input delayed by lat frames,
// given out only in whole multiples of quantum frames (as an STFT with a hop
// does). With a clock, each Process costs *cost of its time.
type delayProc struct {
	ch, lat, quantum int
	hist             []float32 // pending input frames, interleaved
	out              int64     // frames given
	in               int64
	clock            *fakeClock
	cost             *time.Duration
}

func newDelayProc(ch, lat, quantum int) *delayProc {
	return &delayProc{ch: ch, lat: lat, quantum: quantum, hist: make([]float32, lat*ch, (lat+4096)*ch)}
}

func (d *delayProc) Latency() float64 { return float64(d.lat) }

func (d *delayProc) Process(dst, src []float32) []float32 {
	if d.clock != nil {
		d.clock.t += *d.cost
	}
	d.hist = append(d.hist, src...)
	d.in += int64(len(src) / d.ch)
	n := (len(d.hist) / d.ch / d.quantum) * d.quantum
	n = min(n, int(d.in-d.out))
	dst = append(dst, d.hist[:n*d.ch]...)
	d.hist = d.hist[:copy(d.hist, d.hist[n*d.ch:])]
	d.out += int64(n)
	return dst
}

// signal returns frames×ch samples of deterministic noise.
func signal(frames, ch int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, frames*ch)
	for i := range x {
		x[i] = float32(r.Float64()*2-1) * 0.5
	}
	return x
}

// run feeds in through p in callbacks of the given sizes (cycled) and returns
// the output (outCh channels) and the enhanced recording.
func run(t *testing.T, p *Pipeline, in []float32, ch, outCh int, sizes []int, rec *Ring) (out, recorded []float32) {
	t.Helper()
	frames := len(in) / ch
	var drained []float32
	buf := make([]float32, 1<<16)
	for i, pos := 0, 0; pos < frames; i++ {
		n := min(sizes[i%len(sizes)], frames-pos)
		o := make([]float32, n*outCh)
		p.Process(o, in[pos*ch:(pos+n)*ch], 0)
		out = append(out, o...)
		pos += n
		if rec != nil {
			k := rec.Read(buf)
			drained = append(drained, buf[:k]...)
		}
	}
	return out, drained
}

func TestPipelineDelayIsFixed(t *testing.T) {
	for _, tc := range []struct {
		name            string
		ch, outCh       int
		fpb             int
		sizes           []int
		lat, quantum    int
		wantFIFOLatency int
	}{
		{"matched", 1, 1, 480, []int{480}, 480, 480, 0},
		{"lagging processor", 1, 1, 480, []int{480}, 100, 1000, 480},
		{"short buffers", 1, 1, 160, []int{160}, 160, 1, 480 - 160},
		{"small buffers", 1, 2, 128, []int{128}, 480, 480, 480 - 32},
		{"odd buffers", 2, 2, 1000, []int{1000}, 300, 480, 480 - 40},
		{"large buffers", 1, 1, 4800, []int{4800}, 480, 160, 0},
		{"variable", 2, 1, 0, []int{1, 480, 97, 2000, 333, 4096, 7000}, 480, 480, 479},
		{"variable lagging", 1, 2, 0, []int{3000, 5, 480, 10000}, 160, 700, 479 + 520},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := NewRing(1 << 20)
			p, err := NewPipeline(PipelineConfig{
				Rate: 48000, InChannels: tc.ch, OutChannels: tc.outCh, FramesPerBuffer: tc.fpb,
				NewProcessor: func() (Processor, error) { return newDelayProc(tc.ch, tc.lat, tc.quantum), nil },
				Record:       rec, Clock: frozen,
			})
			if err != nil {
				t.Fatal(err)
			}
			if p.FIFOLatency() != tc.wantFIFOLatency {
				t.Errorf("FIFO latency %d, want %d", p.FIFOLatency(), tc.wantFIFOLatency)
			}
			if p.Latency() != tc.lat+p.FIFOLatency() {
				t.Errorf("latency %d, want %d + %d", p.Latency(), tc.lat, p.FIFOLatency())
			}
			in := signal(48000, tc.ch, 1)
			out, recorded := run(t, p, in, tc.ch, tc.outCh, tc.sizes, rec)
			L := p.Latency()
			for i := 0; i < 48000; i++ {
				for c := 0; c < tc.ch; c++ {
					want := float32(0)
					if i >= L {
						want = in[(i-L)*tc.ch+c]
					}
					if got := recorded[i*tc.ch+c]; got != want {
						t.Fatalf("recorded frame %d ch %d = %v, want input frame %d = %v", i, c, got, i-L, want)
					}
				}
				// Device output: mapped channels of the same frames.
				for c := 0; c < tc.outCh; c++ {
					var want float32
					switch {
					case tc.ch == tc.outCh:
						want = recorded[i*tc.ch+c]
					case tc.ch == 1:
						want = recorded[i]
					default:
						for k := 0; k < tc.ch; k++ {
							want += recorded[i*tc.ch+k]
						}
						want /= float32(tc.ch)
					}
					if got := out[i*tc.outCh+c]; got != want {
						t.Fatalf("output frame %d ch %d = %v, want %v", i, c, got, want)
					}
				}
			}
			c := p.Counters()
			if c.DryFrames != 0 || c.Overloads != 0 || c.LateFrames != 0 {
				t.Errorf("counters %+v: want no dry, late or overloaded frames", c)
			}
			if c.Frames != 48000 {
				t.Errorf("frames %d, want 48000", c.Frames)
			}
		})
	}
}

// TestPipelineOverload injects a processor slower than real time, on the
// test's own clock: a device calls back once per period (or as soon as the
// previous callback returned, when that is late) and each block costs the
// processor slow. Blocks must be bypassed (counted), the output must stay the
// input at the same fixed delay, the callbacks must keep to real time but for
// the probes, and processing must resume once the processor is fast again.
func TestPipelineOverload(t *testing.T) {
	const rate, fpb = 16000, 160
	period := time.Second * fpb / rate
	for _, tc := range []struct {
		name      string
		slow      time.Duration // per block, while slow
		slowFor   int           // callbacks that are slow (then fast again)
		callbacks int
		wantSkips bool
	}{
		{"fast", 0, 0, 100, false},
		{"within budget", 7 * time.Millisecond, 100, 100, false},
		{"twice too slow", 20 * time.Millisecond, 200, 200, true},
		{"slow then recovers", 15 * time.Millisecond, 60, 200, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var clock fakeClock
			cost := time.Duration(0) // the rehearsal is free
			rec := NewRing(1 << 20)
			p, err := NewPipeline(PipelineConfig{
				Rate: rate, InChannels: 1, OutChannels: 1, FramesPerBuffer: fpb,
				NewProcessor: func() (Processor, error) {
					d := newDelayProc(1, 160, 160)
					d.clock, d.cost = &clock, &cost
					return d, nil
				},
				Record: rec, Clock: clock.now,
			})
			if err != nil {
				t.Fatal(err)
			}
			cost = tc.slow
			in := signal(tc.callbacks*fpb, 1, 2)
			out := make([]float32, fpb)
			var recorded []float32
			buf := make([]float32, 1<<14)
			var worst, lateSum time.Duration
			for k := 0; k < tc.callbacks; k++ {
				if k == tc.slowFor {
					cost = 0
				}
				// A device calls back once per period; a late callback is an xrun.
				due := time.Duration(k) * period
				clock.t = max(clock.t, due)
				p.Process(out, in[k*fpb:(k+1)*fpb], 0)
				worst = max(worst, clock.t-due)
				lateSum += max(0, clock.t-due-period)
				n := rec.Read(buf)
				recorded = append(recorded, buf[:n]...)
			}
			L := p.Latency()
			for i := range recorded {
				want := float32(0)
				if i >= L {
					want = in[i-L]
				}
				if recorded[i] != want {
					t.Fatalf("frame %d = %v, want input frame %d = %v: the delay moved", i, recorded[i], i-L, want)
				}
			}
			c := p.Counters()
			if got := c.Overloads > 0; got != tc.wantSkips {
				t.Errorf("overloads %d, want some: %v", c.Overloads, tc.wantSkips)
			}
			if !tc.wantSkips && worst > period {
				t.Errorf("a callback ended %v after its due time, want ≤ %v", worst, period)
			}
			if tc.wantSkips {
				// Slow blocks are processed twice at the start (the second
				// largest of the recent costs is not known before), which
				// makes the second callback end 2·slow − period late; then
				// one in 26 is processed as a probe, each late by slow.
				if lim := 2*tc.slow - period; worst > lim {
					t.Errorf("a callback ended %v after its due time, want ≤ %v", worst, lim)
				}
				if probes := int64(tc.slowFor/26 + 2); c.Blocks-int64(tc.callbacks-tc.slowFor) > probes {
					t.Errorf("%d blocks processed while slow, want ≤ %d", c.Blocks-int64(tc.callbacks-tc.slowFor), probes)
				}
				// Each run of bypassed blocks also loses the frames in flight in
				// the processor, up to Latency() more.
				if lo, hi := c.Overloads*fpb, c.Overloads*fpb+c.Blocks*int64(L+fpb); c.DryFrames < lo || c.DryFrames > hi {
					t.Errorf("%d blocks bypassed and %d dry frames, want %d … %d", c.Overloads, c.DryFrames, lo, hi)
				}
			}
			if tc.slowFor < tc.callbacks {
				// It must process again once fast, after one probe at most.
				if want := int64(tc.callbacks - tc.slowFor - 27); c.Blocks < want {
					t.Errorf("%d blocks processed, want ≥ %d after the overload ended", c.Blocks, want)
				}
			}
			t.Logf("%d blocks processed, %d bypassed, %d dry frames, worst lateness %v, late beyond a period %v in all",
				c.Blocks, c.Overloads, c.DryFrames, worst, lateSum)
		})
	}
}

// TestPipelineAllocatesNothing: a callback allocates nothing, with both
// recordings and the status counters on.
func TestPipelineAllocatesNothing(t *testing.T) {
	rec, raw := NewRing(1<<22), NewRing(1<<22)
	p, err := NewPipeline(PipelineConfig{
		Rate: 48000, InChannels: 1, OutChannels: 2, FramesPerBuffer: 256, Clock: frozen,
		NewProcessor: func() (Processor, error) {
			return statsProc{newDelayProc(1, 480, 480), 0.5, -3}, nil
		},
		Record: rec, RecordRaw: raw,
	})
	if err != nil {
		t.Fatal(err)
	}
	in := signal(256, 1, 4)
	out := make([]float32, 512)
	for i := 0; i < 200; i++ {
		p.Process(out, in, 0)
	}
	if a := testing.AllocsPerRun(500, func() { p.Process(out, in, OutputUnderflow) }); a != 0 {
		t.Errorf("Process allocates %v times per callback", a)
	}
	if c := p.Counters(); c.OutputUnderflow < 500 || c.Xruns() != c.OutputUnderflow {
		t.Errorf("counters %+v: want the underflows counted", c)
	}
}

// statsProc is a delayProc that reports fixed frame stats.
type statsProc struct {
	*delayProc
	presence, suppDB float32
}

func (s statsProc) FrameStats() (float32, float32) { return s.presence, s.suppDB }

func TestPipelineLimit(t *testing.T) {
	rec := NewRing(1 << 16)
	p, err := NewPipeline(PipelineConfig{
		Rate: 16000, InChannels: 1, OutChannels: 1, FramesPerBuffer: 100, Limit: 1050, Clock: frozen,
		NewProcessor: func() (Processor, error) { return newDelayProc(1, 160, 160), nil },
		Record:       rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	in := signal(100, 1, 5)
	out := make([]float32, 100)
	for i := 0; i < 20; i++ {
		for j := range out {
			out[j] = 1
		}
		p.Process(out, in, 0)
		if i == 10 {
			for j := 50; j < 100; j++ {
				if out[j] != 0 {
					t.Fatalf("callback %d: output after the limit is %v, want silence", i, out[j])
				}
			}
		}
	}
	if !p.Done() || p.Counters().Frames != 1050 || rec.Len() != 1050 {
		t.Errorf("done %v, frames %d, recorded %d: want true, 1050, 1050", p.Done(), p.Counters().Frames, rec.Len())
	}
}

// TestLevels: the peaks of the input and the output, and the processor's
// frame stats averaged over the blocks processed since the last take.
func TestLevels(t *testing.T) {
	p, err := NewPipeline(PipelineConfig{
		Rate: 16000, InChannels: 1, OutChannels: 1, FramesPerBuffer: 160, Clock: frozen,
		NewProcessor: func() (Processor, error) {
			return statsProc{newDelayProc(1, 160, 160), 0.25, -6.5}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := make([]float32, 160)
	in[7] = -0.9
	out := make([]float32, 160)
	for i := 0; i < 10; i++ {
		p.Process(out, in, 0)
	}
	l := p.TakeLevels()
	if l.InPeak != 0.9 || l.OutPeak != 0.9 || l.Blocks != 10 || l.SuppressionDB != -6.5 || l.SpeechPresence != 0.25 {
		t.Errorf("levels %+v, want peaks 0.9, 10 blocks, presence 0.25, suppression -6.5 dB", l)
	}
	if l := p.TakeLevels(); l.InPeak != 0 || l.Blocks != 0 {
		t.Errorf("levels after take %+v, want zero", l)
	}
}
