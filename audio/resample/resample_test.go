package resample

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"
)

// pairs are the rate conversions the CLI needs: to 16 kHz and back.
func pairs() [][2]int {
	var p [][2]int
	for _, r := range []int{8000, 11025, 22050, 32000, 44100, 48000, 96000} {
		p = append(p, [2]int{r, 16000}, [2]int{16000, r})
	}
	return p
}

// tone returns n frames of amp·sin(2πft/rate + ph) on every channel.
func tone(n, rate, ch int, f, amp, ph float64) []float32 {
	x := make([]float32, n*ch)
	for i := 0; i < n; i++ {
		v := float32(amp * math.Sin(2*math.Pi*f*float64(i)/float64(rate)+ph))
		for c := 0; c < ch; c++ {
			x[i*ch+c] = v
		}
	}
	return x
}

// fit least-squares fits amp·sin(2πft/rate + ph) to y[from:to] (mono) and
// returns amp, ph and the RMS of the residual.
func fit(y []float32, rate int, f float64, from, to int) (amp, ph, resid float64) {
	var ss, sc, cc, ys, yc float64
	w := 2 * math.Pi * f / float64(rate)
	for i := from; i < to; i++ {
		s, c := math.Sincos(w * float64(i))
		ss += s * s
		sc += s * c
		cc += c * c
		ys += float64(y[i]) * s
		yc += float64(y[i]) * c
	}
	det := ss*cc - sc*sc
	a := (ys*cc - yc*sc) / det // sin coefficient
	b := (yc*ss - ys*sc) / det // cos coefficient
	var e float64
	for i := from; i < to; i++ {
		s, c := math.Sincos(w * float64(i))
		d := float64(y[i]) - a*s - b*c
		e += d * d
	}
	return math.Hypot(a, b), math.Atan2(b, a), math.Sqrt(e / float64(to-from))
}

func rms(y []float32, from, to int) float64 {
	var e float64
	for _, v := range y[from:to] {
		e += float64(v) * float64(v)
	}
	return math.Sqrt(e / float64(to-from))
}

func db(x float64) float64 { return 20 * math.Log10(x) }

func run(t testing.TB, in, out, ch int, x []float32) []float32 {
	r, err := New(in, out, ch)
	if err != nil {
		t.Fatal(err)
	}
	y := r.Process(nil, x)
	return r.Flush(y)
}

// TestPassband checks the level, phase (time alignment) and purity of
// in-band tones: gain within 0.1 dB up to 0.9 × the lower Nyquist, and
// everything else (aliases, images, noise) at least 90 dB down.
func TestPassband(t *testing.T) {
	const amp = 0.5
	var worstGain, worstResid, worstPhase float64
	worstResid = -1000
	for _, p := range pairs() {
		in, out := p[0], p[1]
		t.Run(fmt.Sprintf("%d-%d", in, out), func(t *testing.T) {
			nyq := float64(min(in, out)) / 2
			n := in / 2 // 0.5 s
			for _, rel := range []float64{0.01, 0.2, 0.5, 0.8, 0.9} {
				f := rel * nyq
				y := run(t, in, out, 1, tone(n, in, 1, f, amp, 0.3))
				if want := int((int64(n)*int64(out)*2 + int64(in)) / (2 * int64(in))); len(y) != want {
					t.Fatalf("%d output frames, want %d", len(y), want)
				}
				a, ph, e := fit(y, out, f, out/10, out*4/10)
				gain, resid, dph := db(a/amp), db(e/(a/math.Sqrt2)), math.Abs(ph-0.3)
				worstGain = math.Max(worstGain, math.Abs(gain))
				worstResid = math.Max(worstResid, resid)
				worstPhase = math.Max(worstPhase, dph)
				if math.Abs(gain) > 0.1 {
					t.Errorf("%.0f Hz: gain %.4f dB", f, gain)
				}
				if resid > -90 {
					t.Errorf("%.0f Hz: residual %.1f dB", f, resid)
				}
				if dph > 1e-4 {
					t.Errorf("%.0f Hz: phase off by %.2g rad (output not time-aligned)", f, dph)
				}
			}
		})
	}
	t.Logf("worst passband gain error %.5f dB, worst residual (aliases+images+noise) %.1f dB, worst phase error %.2g rad", worstGain, worstResid, worstPhase)
}

// TestStopband checks that tones above the output Nyquist frequency are
// attenuated by at least 90 dB when downsampling.
func TestStopband(t *testing.T) {
	const amp = 0.5
	worst := -1000.0
	for _, p := range pairs() {
		in, out := p[0], p[1]
		if in <= out {
			continue
		}
		t.Run(fmt.Sprintf("%d-%d", in, out), func(t *testing.T) {
			nyqOut, nyqIn := float64(out)/2, float64(in)/2
			for _, rel := range []float64{1.0, 1.02, 1.1, 1.5, 2.5, 5} {
				f := rel * nyqOut
				if f > 0.98*nyqIn {
					continue
				}
				y := run(t, in, out, 1, tone(in/2, in, 1, f, amp, 0.3))
				att := db(rms(y, out/10, out*4/10) / (amp / math.Sqrt2))
				worst = math.Max(worst, att)
				if att > -90 {
					t.Errorf("%.0f Hz: leaks at %.1f dB", f, att)
				}
			}
		})
	}
	t.Logf("worst stopband level %.1f dB", worst)
}

// TestChunkIndependence feeds random chunk sizes (including empty and
// one-frame chunks) and expects bit-identical output, mono (which has its
// own path for integer upsampling) and stereo.
func TestChunkIndependence(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, p := range pairs() {
		for _, ch := range []int{1, 2} {
			testChunks(t, rng, p[0], p[1], ch)
		}
	}
}

// testChunks is one case of TestChunkIndependence.
func testChunks(t *testing.T, rng *rand.Rand, in, out, ch int) {
	t.Run(fmt.Sprintf("%d-%d-%dch", in, out, ch), func(t *testing.T) {
		x := make([]float32, (in/5)*ch)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 0.1)
		}
		want := run(t, in, out, ch, x)
		r, _ := New(in, out, ch)
		for round := 0; round < 2; round++ { // the second round checks reuse after Flush
			var got []float32
			for rest := x; len(rest) > 0; {
				k := min(rng.Intn(3)*rng.Intn(700), len(rest)/ch) * ch
				got = r.Process(got, rest[:k])
				rest = rest[k:]
			}
			got = r.Flush(got)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d: chunked output differs (%d vs %d samples)", round, len(got), len(want))
			}
		}
	})
}

// TestChannelsIndependent checks that channels do not leak into each other.
func TestChannelsIndependent(t *testing.T) {
	x := tone(24000, 48000, 2, 1000, 0.5, 0)
	for i := 1; i < len(x); i += 2 {
		x[i] = 0
	}
	y := run(t, 48000, 16000, 2, x)
	for i := 1; i < len(y); i += 2 {
		if y[i] != 0 {
			t.Fatalf("silent channel has %g at %d", y[i], i)
		}
	}
}

func TestOutFramesAndLatency(t *testing.T) {
	tests := []struct {
		in, out int
		n, want int64
	}{
		{48000, 16000, 48000, 16000},
		{48000, 16000, 1, 0},
		{48000, 16000, 2, 1}, // 0.667 rounds up
		{16000, 48000, 1, 3},
		{44100, 16000, 441, 160},
		{44100, 16000, 100, 36}, // 36.28
		{16000, 16000, 7, 7},
	}
	for _, tt := range tests {
		r, err := New(tt.in, tt.out, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.OutFrames(tt.n); got != tt.want {
			t.Errorf("%d→%d OutFrames(%d) = %d, want %d", tt.in, tt.out, tt.n, got, tt.want)
		}
		y := r.Flush(r.Process(nil, make([]float32, tt.n)))
		if int64(len(y)) != tt.want {
			t.Errorf("%d→%d: %d frames gave %d, want %d", tt.in, tt.out, tt.n, len(y), tt.want)
		}
	}
	r, _ := New(48000, 16000, 1)
	if r.Latency() <= 0 {
		t.Errorf("Latency %d", r.Latency())
	}
	// Nothing comes out before Latency input frames have arrived.
	if y := r.Process(nil, make([]float32, r.Latency())); len(y) != 0 {
		t.Errorf("%d frames out before the look-ahead was filled", len(y))
	}
	if y := r.Process(nil, make([]float32, 1)); len(y) != 1 {
		t.Errorf("got %d frames after the look-ahead, want 1", len(y))
	}
}

func TestNewErrors(t *testing.T) {
	for _, tt := range []struct{ in, out, ch int }{
		{0, 16000, 1}, {16000, -1, 1}, {16000, 48000, 0}, {44101, 16000, 1},
	} {
		if _, err := New(tt.in, tt.out, tt.ch); err == nil {
			t.Errorf("New(%d, %d, %d) succeeded", tt.in, tt.out, tt.ch)
		}
	}
}

func TestProcessNoAlloc(t *testing.T) {
	for _, p := range [][2]int{{48000, 16000}, {16000, 48000}, {44100, 16000}} {
		r, _ := New(p[0], p[1], 2)
		in := tone(p[0]/100, p[0], 2, 440, 0.5, 0)
		out := make([]float32, 0, 4096)
		for i := 0; i < 10; i++ {
			out = r.Process(out[:0], in)
		}
		if a := testing.AllocsPerRun(100, func() { out = r.Process(out[:0], in) }); a != 0 {
			t.Errorf("%d→%d: %.1f allocations per Process", p[0], p[1], a)
		}
	}
}

func benchmark(b *testing.B, in, out int) {
	r, _ := New(in, out, 1)
	x := tone(in/100, in, 1, 440, 0.5, 0) // 10 ms
	y := make([]float32, 0, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		y = r.Process(y[:0], x)
	}
}

// Benchmark48kTo16k processes one 10 ms mono block per op.
func Benchmark48kTo16k(b *testing.B) { benchmark(b, 48000, 16000) }

// Benchmark16kTo48k processes one 10 ms mono block per op.
func Benchmark16kTo48k(b *testing.B) { benchmark(b, 16000, 48000) }

// Benchmark44k1To16k processes one 10 ms mono block per op.
func Benchmark44k1To16k(b *testing.B) { benchmark(b, 44100, 16000) }
