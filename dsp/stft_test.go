package dsp

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand"
	"testing"

	godsp "github.com/mjibson/go-dsp/fft"
)

func randomSignal(n int, seed int64) []float32 {
	rng := rand.New(rand.NewSource(seed))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 0.3)
	}
	return x
}

func TestWindowPowerComplementary(t *testing.T) {
	for _, n := range []int{64, 320, 640} {
		w := Window(n)
		for i := 0; i < n/2; i++ {
			if s := w[i]*w[i] + w[i+n/2]*w[i+n/2]; math.Abs(s-1) > 1e-12 {
				t.Fatalf("n=%d: w[%d]²+w[%d]² = %v, want 1", n, i, i+n/2, s)
			}
		}
	}
}

// TestIdentityDelay: with an all-ones gain the output is the input delayed by
// exactly N−H samples.
func TestIdentityDelay(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig, {SampleRate: 48000, Window: 960, Hop: 480}, {SampleRate: 8000, Window: 64, Hop: 32}} {
		a, err := NewAnalyzer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := NewSynthesizer(cfg)
		x := randomSignal(cfg.Hop*50, 1)
		y := make([]float32, len(x))
		for i := 0; i+cfg.Hop <= len(x); i += cfg.Hop {
			s.Frame(y[i:i+cfg.Hop], a.Frame(x[i:i+cfg.Hop]))
		}
		d := cfg.Latency()
		worst := 0.0
		for i := d; i < len(x); i++ {
			worst = math.Max(worst, math.Abs(float64(y[i]-x[i-d])))
		}
		for i := 0; i < d; i++ {
			worst = math.Max(worst, math.Abs(float64(y[i])))
		}
		if worst > 1e-5 {
			t.Errorf("%+v: max |y[n] − x[n−%d]| = %g, want ≤ 1e-5", cfg, d, worst)
		}
	}
}

// TestSpectrumMatchesGoDSP uses go-dsp's FFT as an independent oracle.
func TestSpectrumMatchesGoDSP(t *testing.T) {
	cfg := DefaultConfig
	a, _ := NewAnalyzer(cfg)
	x := randomSignal(cfg.Window*4, 2)
	w := Window(cfg.Window)
	for f := 0; f+cfg.Hop <= len(x); f += cfg.Hop {
		got := a.Frame(x[f : f+cfg.Hop])
		end := f + cfg.Hop
		frame := make([]float64, cfg.Window)
		for i := range frame {
			if j := end - cfg.Window + i; j >= 0 {
				frame[i] = float64(x[j]) * w[i]
			}
		}
		want := godsp.FFTReal(frame)
		for k := range got {
			if d := cmplx.Abs(got[k] - want[k]); d > 1e-4 {
				t.Fatalf("frame at %d bin %d: %v, go-dsp %v", f, k, got[k], want[k])
			}
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg Config
		ok  bool
	}{
		{DefaultConfig, true},
		{Config{16000, 320, 100}, false},
		{Config{0, 320, 160}, false},
		{Config{16000, 0, 0}, false},
	} {
		if err := tc.cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: err = %v, want ok=%v", tc.cfg, err, tc.ok)
		}
	}
}

func BenchmarkAnalyzeSynthesize(b *testing.B) {
	for _, r := range []int{16000, 44100, 48000} {
		b.Run(fmt.Sprintf("%dHz", r), func(b *testing.B) { benchAnalyzeSynthesize(b, Config{SampleRate: r, Window: r / 50, Hop: r / 100}) })
	}
}

func benchAnalyzeSynthesize(b *testing.B, cfg Config) {
	a, _ := NewAnalyzer(cfg)
	s, _ := NewSynthesizer(cfg)
	x := randomSignal(cfg.Hop, 3)
	y := make([]float32, cfg.Hop)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Frame(y, a.Frame(x))
	}
}

func BenchmarkGoDSPFFT(b *testing.B) {
	x := make([]float64, DefaultConfig.Window)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		godsp.IFFT(godsp.FFTReal(x))
	}
}

// TestSTFTKernelsAgree: analysis and synthesis give the same samples bit for
// bit with the AVX2 kernels (where the CPU has them) and with Go alone, at
// hops that use the vector overlap-add (160, 480) and one that does not (441).
func TestSTFTKernelsAgree(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this CPU: the Go loops run alone")
	}
	defer func() { useAVX2 = true }()
	for _, r := range []int{16000, 44100, 48000} {
		cfg := Config{SampleRate: r, Window: r / 50, Hop: r / 100}
		x := randomSignal(cfg.Hop*6, 4)
		var got [2][]float32
		for i, vec := range []bool{false, true} {
			useAVX2 = vec
			a, _ := NewAnalyzer(cfg)
			s, _ := NewSynthesizer(cfg)
			out := make([]float32, cfg.Hop)
			for f := 0; f < 6; f++ {
				spec := a.Frame(x[f*cfg.Hop : (f+1)*cfg.Hop])
				for k := range spec {
					spec[k] *= complex(0.5+0.4*math.Sin(float64(k)), 0)
				}
				s.Frame(out, spec)
				got[i] = append(got[i], out...)
			}
		}
		for j := range got[0] {
			if got[0][j] != got[1][j] {
				t.Fatalf("%d Hz: sample %d: AVX2 %v, Go %v", r, j, got[1][j], got[0][j])
			}
		}
	}
}
