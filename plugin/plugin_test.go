package plugin

import (
	"math"
	"math/rand"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/metrics"
)

// signal is ch channels of a tone burst pattern in noise, planar.
func signal(n, rate, ch int, seed int64) [][]float32 {
	rng := rand.New(rand.NewSource(seed))
	x := make([][]float32, ch)
	for c := range x {
		x[c] = make([]float32, n)
		for i := range x[c] {
			t := float64(i) / float64(rate)
			env := math.Max(0, math.Sin(2*math.Pi*1.7*t+float64(c)))
			x[c][i] = float32(0.3*env*math.Sin(2*math.Pi*(220+40*float64(c))*t) + 0.03*rng.NormFloat64())
		}
	}
	return x
}

func model(t testing.TB) *enhancer.Model {
	t.Helper()
	m, err := LoadModel()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newInstance(t testing.TB, rate, ch int) *Instance {
	t.Helper()
	p, err := New(model(t), rate, ch)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runBlocks feeds x (planar) in blocks of the given sizes, cycled, followed
// by tail frames of silence, and returns the output.
func runBlocks(p *Instance, x [][]float32, tail int, sizes []int, c Controls) [][]float32 {
	ch := len(x)
	n := len(x[0]) + tail
	in := make([][]float32, ch)
	out := make([][]float32, ch)
	for i := range in {
		in[i] = append(append([]float32(nil), x[i]...), make([]float32, tail)...)
		out[i] = make([]float32, n)
	}
	bi, bo := make([][]float32, ch), make([][]float32, ch)
	for at, b := 0, 0; at < n; b++ {
		k := min(sizes[b%len(sizes)], n-at)
		for i := range in {
			bi[i], bo[i] = in[i][at:at+k], out[i][at:at+k]
		}
		p.Run(bo, bi, k, c)
		at += k
	}
	return out
}

// denoise is what `ghostrnn denoise` computes: an aligned stream over the
// whole interleaved signal, flushed.
func denoise(t testing.TB, x [][]float32, rate int, o enhancer.Options) [][]float32 {
	ch := len(x)
	st, err := enhancer.NewStream(model(t), o, enhancer.StreamConfig{Rate: rate, Channels: ch, Aligned: true}, newResampler)
	if err != nil {
		t.Fatal(err)
	}
	inter := make([]float32, len(x[0])*ch)
	for c := range x {
		for i, v := range x[c] {
			inter[i*ch+c] = v
		}
	}
	y := st.Flush(st.Process(nil, inter))
	out := make([][]float32, ch)
	for c := range out {
		out[c] = make([]float32, len(x[0]))
		for i := range out[c] {
			out[c][i] = y[i*ch+c]
		}
	}
	return out
}

// startupMs and endMs are the ends of a file where the plugin's output may
// differ from denoise's at rates the engine does not run natively (22.05 kHz
// here; 44.1 and 48 kHz are native and bit-exact throughout): denoise cuts the
// model-rate signal at the file's ends before the upsampler (it drops the
// engine's first 20 ms and stops at the last input sample), while the
// plugin, a stream, upsamples the engine's output before and after the file
// as well. Measured with the resampled path at 48 kHz: up to 157 frames at the
// start, 1152 at the end, by up to 4e-4 and 0.0065 where the signal is loud.
const startupMs, endMs = 10, 30

// TestRunMatchesDenoise: after Latency() frames the plugin gives the samples
// of `ghostrnn denoise`, bit-exact (at resampled rates but for the ends of the
// file, startupMs and endMs, where the differences are logged) — whatever the host's block sizes, mono and stereo, at
// 48 and 44.1 kHz, and with non-default controls.
func TestRunMatchesDenoise(t *testing.T) {
	for _, tc := range []struct {
		rate, ch int
		sizes    []int
		c        Controls
	}{
		{48000, 1, []int{480}, DefaultControls},
		{48000, 2, []int{1, 4096, 333, 64, 5000, 1024}, DefaultControls},
		{44100, 1, []int{441, 17, 2048}, Controls{AttenLimDB: 12, Mix: 0.8}},
		{22050, 1, []int{256, 1000}, DefaultControls}, // not a native rate: resampled
	} {
		p := newInstance(t, tc.rate, tc.ch)
		x := signal(tc.rate*3/2, tc.rate, tc.ch, 1)
		lat := p.Latency()
		got := runBlocks(p, x, lat, tc.sizes, tc.c)
		want := denoise(t, x, tc.rate, tc.c.Options())
		start := tc.rate * startupMs / 1000
		end := len(x[0]) - tc.rate*endMs/1000
		for c := range want {
			var worst, late, tail float64
			differ := 0
			for i, w := range want[c] {
				d := math.Abs(float64(got[c][i+lat] - w))
				if i >= end {
					tail = max(tail, d)
				} else if i >= start {
					late = max(late, d)
					if d != 0 {
						differ++
					}
				} else {
					worst = max(worst, d)
				}
			}
			if differ > 0 {
				t.Errorf("%d Hz %d ch blocks %v channel %d: %d frames differ from denoise, by up to %g", tc.rate, tc.ch, tc.sizes, c, differ, late)
			}
			t.Logf("%d Hz %d ch channel %d: latency %d frames (pad %d); largest difference %g in the first %d ms, %g after (%d of %d frames not bit-exact), %g in the last %d ms",
				tc.rate, tc.ch, c, lat, p.Pad(), worst, startupMs, late, differ, end-start, tail, endMs)
		}
		if p.Underruns != 0 {
			t.Errorf("%d underrun frames", p.Underruns)
		}
	}
}

// TestBypassIsDelayedInput: bypassed at the model's own rate the plugin
// passes the input through delayed by exactly Latency() frames (the latency
// port is right); at 48 kHz the delay is the same by cross-correlation.
func TestBypassIsDelayedInput(t *testing.T) {
	for _, rate := range []int{16000, 48000} {
		p := newInstance(t, rate, 1)
		x := signal(rate, rate, 1, 3)
		y := runBlocks(p, x, p.Latency(), []int{256, 31}, Controls{AttenLimDB: 100, Mix: 1, Bypass: true})[0]
		if d := metrics.Delay(x[0], y, 4*p.Latency()); d != p.Latency() {
			t.Errorf("%d Hz: bypassed output is %d frames late, latency port says %d", rate, d, p.Latency())
		}
		if rate != 16000 {
			continue
		}
		for i, v := range x[0] {
			if d := math.Abs(float64(y[i+p.Latency()] - v)); d > 1e-5 {
				t.Fatalf("16 kHz bypass: frame %d = %v, input %v", i, y[i+p.Latency()], v)
			}
		}
	}
}

// TestActivateResets: after Activate the instance gives the same output as
// a new one.
func TestActivateResets(t *testing.T) {
	p := newInstance(t, 48000, 2)
	x := signal(24000, 48000, 2, 4)
	a := runBlocks(p, x, 0, []int{480}, DefaultControls)
	p.Activate()
	b := runBlocks(p, x, 0, []int{1000, 7}, DefaultControls)
	for c := range a {
		for i := range a[c] {
			if a[c][i] != b[c][i] {
				t.Fatalf("after Activate channel %d frame %d = %v, first run %v", c, i, b[c][i], a[c][i])
			}
		}
	}
}

// TestRunAllocatesNothing counts allocations of Run from the first block
// after New and after Activate, for blocks from 1 frame to 8192, with
// control changes in between.
func TestRunAllocatesNothing(t *testing.T) {
	for _, rate := range []int{48000, 44100, 16000} {
		for _, ch := range []int{1, 2} {
			p := newInstance(t, rate, ch)
			x := signal(8192, rate, ch, 5)
			out := make([][]float32, ch)
			for c := range out {
				out[c] = make([]float32, 8192)
			}
			sizes := []int{1, 64, 480, 8192, 7, 1023, 1024, 1025, 4096, 441, 2}
			ctl := []Controls{DefaultControls, {AttenLimDB: 6, Mix: 0.5}, {Bypass: true}}
			i := 0
			allocs := testing.AllocsPerRun(200, func() {
				k := sizes[i%len(sizes)]
				in, o := make([][]float32, 0, 2), make([][]float32, 0, 2)
				for c := range x {
					in, o = append(in, x[c][:k]), append(o, out[c][:k])
				}
				p.Run(o, in, k, ctl[i%len(ctl)])
				if i%50 == 49 {
					p.Activate()
				}
				i++
			})
			if allocs != 0 {
				t.Errorf("%d Hz %d ch: %v allocations per Run", rate, ch, allocs)
			}
		}
	}
}

// BenchmarkRun480 is one 10 ms block at 48 kHz, mono.
func BenchmarkRun480(b *testing.B) {
	p := newInstance(b, 48000, 1)
	x := signal(480, 48000, 1, 6)
	out := [][]float32{make([]float32, 480)}
	b.ReportAllocs()
	for b.Loop() {
		p.Run(out, x, 480, DefaultControls)
	}
}
