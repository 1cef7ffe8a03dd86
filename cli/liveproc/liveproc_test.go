package liveproc

import (
	"math"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/audio/live"
	"github.com/ghostrnn/ghostrnn/audio/resample"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

// newStream builds the enhancer stream that the live command runs.
func newStream(t testing.TB, rate, ch int, mode enhancer.ChannelMode, o enhancer.Options) *enhancer.Stream {
	t.Helper()
	m, err := models.Open("")
	if err != nil {
		t.Fatal(err)
	}
	s, err := enhancer.NewStream(m, o, enhancer.StreamConfig{Rate: rate, Channels: ch, Mode: mode},
		func(in, out int) (enhancer.Resampler, error) { return resample.New(in, out, 1) })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// frozen is a pipeline clock that never moves: no block is ever bypassed,
// however busy the machine.
func frozen() time.Duration { return 0 }

// feed runs in through p in callbacks of the given sizes (cycled) and
// returns what the recording ring received.
func feed(p *live.Pipeline, rec *live.Ring, in []float32, ch int, sizes []int) []float32 {
	frames := len(in) / ch
	var got []float32
	buf := make([]float32, 1<<16)
	for i, pos := 0, 0; pos < frames; i++ {
		n := min(sizes[i%len(sizes)], frames-pos)
		p.Process(make([]float32, n*ch), in[pos*ch:(pos+n)*ch], 0)
		pos += n
		k := rec.Read(buf)
		got = append(got, buf[:k]...)
	}
	return got
}

// TestPipelineMatchesStream: through the live pipeline, the enhancer's
// output is bit for bit that of the same stream fed directly,
// Latency() − its own latency frames later.
func TestPipelineMatchesStream(t *testing.T) {
	for _, tc := range []struct {
		rate, ch, fpb int
		mode          enhancer.ChannelMode
	}{
		{48000, 1, 480, enhancer.EachChannel},
		{44100, 2, 256, enhancer.MonoMix},
		{16000, 1, 0, enhancer.EachChannel},
	} {
		in := live.NoisySpeech(tc.rate, tc.rate, tc.ch)
		ref := newStream(t, tc.rate, tc.ch, tc.mode, enhancer.DefaultOptions).Process(nil, in)
		rec := live.NewRing(1 << 20)
		p, err := live.NewPipeline(live.PipelineConfig{
			Rate: tc.rate, InChannels: tc.ch, OutChannels: tc.ch, FramesPerBuffer: tc.fpb, Clock: frozen,
			NewProcessor: func() (live.Processor, error) {
				return New(newStream(t, tc.rate, tc.ch, tc.mode, enhancer.DefaultOptions), nil), nil
			},
			Record: rec,
		})
		if err != nil {
			t.Fatal(err)
		}
		sizes := []int{tc.fpb}
		if tc.fpb == 0 {
			sizes = []int{100, 1000, 7}
		}
		recorded := feed(p, rec, in, tc.ch, sizes)
		if c := p.Counters(); c.Overloads > 0 || c.DryFrames > 0 {
			t.Fatalf("%d Hz: %d blocks bypassed on a frozen clock", tc.rate, c.Overloads)
		}
		shift := p.Latency() - p.ProcessorLatency()
		n := 0
		for i := p.Latency() * tc.ch; i < len(recorded); i++ {
			j := i - shift*tc.ch
			if j >= len(ref) {
				break
			}
			if recorded[i] != ref[j] {
				t.Fatalf("%d Hz %d ch: sample %d = %v, want the stream's %d = %v", tc.rate, tc.ch, i, recorded[i], j, ref[j])
			}
			n++
		}
		if n < len(in)/2 {
			t.Fatalf("%d Hz: only %d samples compared", tc.rate, n)
		}
		t.Logf("%d Hz %d ch fpb %d: latency %d frames (stream %d + FIFO %d), %d samples equal",
			tc.rate, tc.ch, tc.fpb, p.Latency(), p.ProcessorLatency(), p.FIFOLatency(), n)
	}
}

// TestBypassToggle: the controls reach the engine at the next block, from
// another goroutine than the audio thread. While bypassed, the output is the
// input exactly, the processor's latency later; before and after, it is what
// an unbypassed stream gives.
func TestBypassToggle(t *testing.T) {
	const rate, ch, hop = 16000, 1, 160
	in := live.NoisySpeech(rate, rate, ch)
	ctl := NewControls(enhancer.DefaultOptions, false)
	p := New(newStream(t, rate, ch, enhancer.EachChannel, enhancer.DefaultOptions), ctl)
	ref := newStream(t, rate, ch, enhancer.EachChannel, enhancer.DefaultOptions)
	lat := int(math.Round(p.Latency()))
	var out, want []float32
	const on, off = 30, 70 // blocks at which bypass starts and ends
	for b := 0; b < rate/hop; b++ {
		if b == on || b == off {
			done := make(chan bool)
			go func() { done <- ctl.ToggleBypass() }()
			if got, wantState := <-done, b == on; got != wantState || ctl.Bypassed() != wantState {
				t.Fatalf("block %d: toggle gave %v, Bypassed %v, want %v", b, got, ctl.Bypassed(), wantState)
			}
		}
		blk := in[b*hop : (b+1)*hop]
		out = p.Process(out, blk)
		want = ref.Process(want, blk)
	}
	if len(out) != len(want) {
		t.Fatalf("%d samples out, want %d", len(out), len(want))
	}
	// Samples whose STFT frames all lie inside the bypassed blocks are the
	// delayed input exactly; the engine's window (2 hops) overlaps the edges.
	for i := (on+2)*hop + lat; i < off*hop; i++ {
		if out[i] != in[i-lat] {
			t.Fatalf("bypassed sample %d = %v, want the input's %d = %v", i, out[i], i-lat, in[i-lat])
		}
	}
	for i := 0; i < on*hop; i++ {
		if out[i] != want[i] {
			t.Fatalf("sample %d before the bypass = %v, want %v", i, out[i], want[i])
		}
	}
	differs := 0
	for i := (on + 2) * hop; i < off*hop; i++ {
		if want[i] != out[i] {
			differs++
		}
	}
	if differs < (off-on-4)*hop/2 {
		t.Errorf("only %d samples in the bypass differ from the enhanced stream", differs)
	}
	if o := ctl.Options(); o.AttenLimDB != enhancer.DefaultOptions.AttenLimDB || o.Mix != 1 {
		t.Errorf("options after the bypass %+v, want the limit back", o)
	}
}

// TestControls: bypass is the attenuation limit 0 dB; a limit of 0 dB given
// starts bypassed, and un-bypassing it restores the default limit.
func TestControls(t *testing.T) {
	c := NewControls(enhancer.Options{AttenLimDB: 12, Mix: 0.5}, true)
	if !c.Bypassed() || c.Options() != (enhancer.Options{AttenLimDB: 0, Mix: 0.5}) {
		t.Errorf("bypassed: %v, %+v", c.Bypassed(), c.Options())
	}
	if c.ToggleBypass() || c.Options() != (enhancer.Options{AttenLimDB: 12, Mix: 0.5}) {
		t.Errorf("toggled: %v, %+v", c.Bypassed(), c.Options())
	}
	c = NewControls(enhancer.Options{AttenLimDB: 0, Mix: 1}, false)
	if !c.Bypassed() {
		t.Error("a 0 dB limit should start bypassed")
	}
	c.SetBypass(false)
	if c.Options().AttenLimDB != enhancer.DefaultOptions.AttenLimDB {
		t.Errorf("un-bypassed a 0 dB limit: %+v, want the default limit", c.Options())
	}
}

// TestPipelineAllocatesNothing: a callback of the live pipeline with the
// enhancer allocates nothing, also when it applies a bypass toggled meanwhile.
func TestPipelineAllocatesNothing(t *testing.T) {
	rec, raw := live.NewRing(1<<22), live.NewRing(1<<22)
	ctl := NewControls(enhancer.DefaultOptions, false)
	p, err := live.NewPipeline(live.PipelineConfig{
		Rate: 48000, InChannels: 1, OutChannels: 2, FramesPerBuffer: 256, Clock: frozen,
		NewProcessor: func() (live.Processor, error) {
			return New(newStream(t, 48000, 1, enhancer.EachChannel, ctl.Options()), ctl), nil
		},
		Record: rec, RecordRaw: raw,
	})
	if err != nil {
		t.Fatal(err)
	}
	in := live.NoisySpeech(256, 48000, 1)
	out := make([]float32, 512)
	for i := 0; i < 200; i++ {
		p.Process(out, in, 0)
	}
	if a := testing.AllocsPerRun(500, func() {
		ctl.ToggleBypass()
		p.Process(out, in, live.OutputUnderflow)
	}); a != 0 {
		t.Errorf("Process allocates %v times per callback", a)
	}
}

// TestLevels: the pipeline's levels carry the engine's frame stats.
func TestLevels(t *testing.T) {
	p, err := live.NewPipeline(live.PipelineConfig{
		Rate: 16000, InChannels: 1, OutChannels: 1, FramesPerBuffer: 160, Clock: frozen,
		NewProcessor: func() (live.Processor, error) {
			return New(newStream(t, 16000, 1, enhancer.EachChannel, enhancer.DefaultOptions), nil), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := live.NoisySpeech(160, 16000, 1)
	in[7] = -0.9
	out := make([]float32, 160)
	for i := 0; i < 10; i++ {
		p.Process(out, in, 0)
	}
	l := p.TakeLevels()
	if l.InPeak != 0.9 || l.OutPeak <= 0 || l.Blocks != 10 || l.SuppressionDB > 0 || l.SpeechPresence < 0 || l.SpeechPresence > 1 ||
		math.IsNaN(float64(l.SuppressionDB)) {
		t.Errorf("levels %+v", l)
	}
}

// TestImpulseDelay is the algorithmic latency: an impulse comes out of the
// engine N − H = 160 samples (10 ms) plus one hop per frame of look-ahead
// later at 16 kHz (320 = 20 ms for the default model), and the stream's
// latency later at other rates.
func TestImpulseDelay(t *testing.T) {
	m, err := models.Open("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := m.Config()
	if got := cfg.Window - cfg.Hop; got != 160 {
		t.Fatalf("window − hop = %d, want 160", got)
	}
	d := 1 + m.Arch.Lookahead // in units of 10 ms
	for _, tc := range []struct {
		rate, ch int
		opts     enhancer.Options
		want     int
	}{
		{16000, 1, enhancer.Options{AttenLimDB: 0, Mix: 1}, 160 * d},
		{16000, 1, enhancer.DefaultOptions, 160 * d},
		{48000, 1, enhancer.DefaultOptions, 480 * d},
		{44100, 2, enhancer.DefaultOptions, 441 * d},
		{8000, 1, enhancer.Options{AttenLimDB: 0, Mix: 1}, 80 * d},
	} {
		r := live.ImpulseDelay(New(newStream(t, tc.rate, tc.ch, enhancer.EachChannel, tc.opts), nil), tc.ch, tc.rate)
		if r.DelayFrames != tc.want || !r.OK() {
			t.Errorf("%d Hz, %+v: impulse delayed %d frames (expected %v), want %d", tc.rate, tc.opts, r.DelayFrames, r.Expected, tc.want)
		}
		if tc.opts.AttenLimDB == 0 && tc.rate == cfg.SampleRate && r.Peak != 1 {
			t.Errorf("bypassed engine: peak %v, want exactly 1", r.Peak)
		}
	}
}

// TestMeasureCompute: the compute measurement times every block of the
// signal and gives ordered quantiles.
func TestMeasureCompute(t *testing.T) {
	s := newStream(t, 48000, 1, enhancer.EachChannel, enhancer.DefaultOptions)
	r := live.MeasureCompute(New(s, nil), live.NoisySpeech(48000, 48000, 1), 1, 48000, 480)
	if r.Blocks != 100 || r.P50 <= 0 || r.P50 > r.P99 || r.P99 > r.Max || r.RTF <= 0 {
		t.Errorf("%+v", r)
	}
}

// BenchmarkPipelineSilence and BenchmarkPipelineSpeech compare one 10 ms
// callback of the live path at 48 kHz on digital silence (after three minutes of
// it: denormals would show there) and on a noisy signal: silence must cost
// no more.
func BenchmarkPipelineSilence(b *testing.B) { benchPipeline(b, false) }

// BenchmarkPipelineSpeech is the same on a noisy signal.
func BenchmarkPipelineSpeech(b *testing.B) { benchPipeline(b, true) }

func benchPipeline(b *testing.B, noisy bool) {
	p, err := live.NewPipeline(live.PipelineConfig{
		Rate: 48000, InChannels: 1, OutChannels: 2, FramesPerBuffer: 480, MaxLoad: math.Inf(1),
		NewProcessor: func() (live.Processor, error) {
			return New(newStream(b, 48000, 1, enhancer.EachChannel, enhancer.DefaultOptions), nil), nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	var in []float32
	if noisy {
		in = live.NoisySpeech(48000*10, 48000, 1)
	} else {
		in = make([]float32, 480*18000)
	}
	out := make([]float32, 960)
	if !noisy {
		for i := 0; i < 18000; i++ { // three minutes of digital silence first
			p.Process(out, in[i*480:(i+1)*480], 0)
		}
	}
	blocks := len(in) / 480
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % blocks
		p.Process(out, in[j*480:(j+1)*480], 0)
	}
}
