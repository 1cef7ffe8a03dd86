package live

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

func TestMLSIsMaximal(t *testing.T) {
	for order := range mlsMasks {
		x := MLS(order, 1)
		n := 1<<order - 1
		if len(x) != n {
			t.Fatalf("order %d: %d samples, want %d", order, len(x), n)
		}
		// A maximal sequence has 2^(order-1) ones and a two-valued circular
		// autocorrelation: n at lag 0, −1 elsewhere.
		ones := 0
		for _, v := range x {
			if v > 0 {
				ones++
			}
		}
		if ones != 1<<(order-1) {
			t.Errorf("order %d: %d ones, want %d", order, ones, 1<<(order-1))
		}
		if order > 12 {
			continue
		}
		for lag := 1; lag < n; lag += 97 {
			var s float32
			for i := range x {
				s += x[i] * x[(i+lag)%n]
			}
			if s != -1 {
				t.Fatalf("order %d: autocorrelation at lag %d is %v, want -1", order, lag, s)
			}
		}
	}
}

func TestCorrelate(t *testing.T) {
	probe := MLS(13, 0.1)
	r := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct {
		name      string
		delay     int
		gain      float64
		noise     float64
		wantFound bool
	}{
		{"clean", 1234, 1, 0, true},
		{"zero delay", 0, 0.5, 0, true},
		{"inverted", 300, -0.8, 0, true},
		{"noisy", 4000, 0.3, 0.05, true},
		{"no loop", -1, 0, 0.05, false},
		{"silence", -1, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			maxLag := 24000
			x := make([]float32, len(probe)+maxLag)
			for i := range x {
				x[i] = float32(tc.noise * (r.Float64()*2 - 1))
			}
			if tc.delay >= 0 {
				for i, v := range probe {
					x[tc.delay+i] += float32(tc.gain) * v
				}
			}
			c := Correlate(x, probe, maxLag, 48000)
			found := math.Abs(c.Coeff) >= 0.3
			if found != tc.wantFound {
				t.Fatalf("coefficient %v: found %v, want %v", c.Coeff, found, tc.wantFound)
			}
			if !found {
				return
			}
			if c.IntegerLag != tc.delay || math.Abs(c.Lag-float64(tc.delay)) > 0.5 {
				t.Errorf("lag %d (%.2f), want %d", c.IntegerLag, c.Lag, tc.delay)
			}
			if tc.noise == 0 && math.Abs(math.Abs(c.Coeff)-1) > 1e-6 {
				t.Errorf("coefficient %v, want ±1 for an exact copy", c.Coeff)
			}
			if c.PeakRatio < 5 {
				t.Errorf("peak ratio %v, want a clear peak", c.PeakRatio)
			}
		})
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
		s := newStream(t, tc.rate, tc.ch, enhancer.EachChannel)
		s.SetOptions(tc.opts)
		r := ImpulseDelay(NewStreamProcessor(s), tc.ch, tc.rate)
		if r.DelayFrames != tc.want || !r.OK() {
			t.Errorf("%d Hz, %+v: impulse delayed %d frames (expected %v), want %d", tc.rate, tc.opts, r.DelayFrames, r.Expected, tc.want)
		}
		if tc.opts.AttenLimDB == 0 && tc.rate == cfg.SampleRate && r.Peak != 1 {
			t.Errorf("bypassed engine: peak %v, want exactly 1", r.Peak)
		}
	}
}

func TestMeasureCompute(t *testing.T) {
	s := newStream(t, 48000, 1, enhancer.EachChannel)
	r := MeasureCompute(NewStreamProcessor(s), signal(48000, 1, 9), 1, 48000, 480)
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
	p, err := NewPipeline(PipelineConfig{
		Rate: 48000, InChannels: 1, OutChannels: 2, FramesPerBuffer: 480, MaxLoad: 1e6,
		NewProcessor: func() (Processor, error) {
			return NewStreamProcessor(newStream(b, 48000, 1, enhancer.EachChannel)), nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	var in []float32
	if noisy {
		in = NoisySpeech(48000*10, 48000, 1)
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
