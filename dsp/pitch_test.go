package dsp

import (
	"math"
	"math/rand"
	"testing"

	godsp "github.com/mjibson/go-dsp/fft"
)

// harmonic returns n samples of a tone at f0 Hz with 10 harmonics of
// falling amplitude, sampled at fs.
func harmonic(n int, f0, fs float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		var s float64
		for h := 1; h <= 10; h++ {
			if float64(h)*f0 < fs/2 {
				s += math.Sin(2*math.Pi*float64(h)*f0*float64(i)/fs+float64(h)) / float64(h)
			}
		}
		x[i] = float32(0.1 * s)
	}
	return x
}

// runPitch feeds x hop by hop and returns the features of the last frame.
func runPitch(t *testing.T, p *Pitch, x []float32) []float32 {
	t.Helper()
	a, _ := NewAnalyzer(DefaultConfig)
	h := DefaultConfig.Hop
	f := make([]float32, p.Size())
	for i := 0; i+h <= len(x); i += h {
		p.Compute(f, a.Frame(x[i:i+h]), x[i:i+h])
	}
	return f
}

// TestPitchPeriod: for periodic tones across the search range the lag found
// is the period (or a multiple of it, which lines the harmonics up as well)
// to within one sample, the time-domain correlation is near 1, and every low
// band reads ρ > 0.9.
func TestPitchPeriod(t *testing.T) {
	fs := float64(DefaultConfig.SampleRate)
	for _, f0 := range []float64{55, 100, 125, 180, 240, 390} {
		p, err := NewPitch(DefaultConfig, 128, 24)
		if err != nil {
			t.Fatal(err)
		}
		f := runPitch(t, p, harmonic(8000, f0, fs))
		T, r := p.Period()
		per := fs / f0
		m := math.Round(float64(T) / per)
		if m < 1 || math.Abs(float64(T)-m*per) > 1 {
			t.Errorf("f0 %g Hz (period %.1f): lag %d is not a multiple", f0, per, T)
		}
		if r < 0.95 {
			t.Errorf("f0 %g Hz: correlation %.3f at lag %d", f0, r, T)
		}
		for b, v := range f {
			if v < 0.9 {
				t.Errorf("f0 %g Hz: band %d ρ = %.3f, want > 0.9", f0, b, v)
				break
			}
		}
	}
}

// TestPitchNoise: white noise does not repeat, so the bands' ρ average near 0
// (one bin's ρ is the cosine of a random phase difference, so its magnitude
// does not), and digital silence reads exactly 0.
func TestPitchNoise(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := make([]float32, 16000)
	for i := range x {
		x[i] = float32(0.1 * rng.NormFloat64())
	}
	p, _ := NewPitch(DefaultConfig, 128, 24)
	a, _ := NewAnalyzer(DefaultConfig)
	h := DefaultConfig.Hop
	f := make([]float32, p.Size())
	var sum, n float64
	for i := 0; i+h <= len(x); i += h {
		p.Compute(f, a.Frame(x[i:i+h]), x[i:i+h])
		if i > 8*h {
			for _, v := range f {
				sum += float64(v)
				n++
			}
		}
	}
	if m := sum / n; math.Abs(m) > 0.05 {
		t.Errorf("white noise: mean ρ = %.3f, want within ±0.05", m)
	}
	p.Reset()
	for _, v := range runPitch(t, p, make([]float32, 3200)) {
		if v != 0 {
			t.Fatalf("silence: ρ = %v, want 0", v)
		}
	}
}

// TestPitchOracle checks ρ against a direct computation with go-dsp's FFT:
// the spectrum of the window one lag back, correlated band by band with the
// current frame's, the whole periods back that clear the window.
func TestPitchOracle(t *testing.T) {
	cfg := DefaultConfig
	rng := rand.New(rand.NewSource(2))
	x := harmonic(6400, 147, float64(cfg.SampleRate))
	for i := range x {
		x[i] += float32(0.03 * rng.NormFloat64())
	}
	p, _ := NewPitch(cfg, 128, 30)
	f := runPitch(t, p, x)
	T, _ := p.Period()
	n := cfg.Window
	w := Window(n)
	spec := func(off int) []complex128 {
		seg := make([]float64, n)
		for i := range seg {
			seg[i] = float64(x[off+i]) * w[i]
		}
		return godsp.FFTReal(seg)
	}
	end := len(x) / cfg.Hop * cfg.Hop
	lag := T * ((n + T - 1) / T)
	X, P := spec(end-n), spec(end-n-lag)
	bands, _ := ERBBands(cfg, 128)
	for b := 0; b < 30; b++ {
		var num, ex, ep float64
		for i, wt := range bands[b].Weights {
			k := bands[b].Start + i
			num += wt * real(X[k]*complexConj(P[k]))
			ex += wt * real(X[k]*complexConj(X[k]))
			ep += wt * real(P[k]*complexConj(P[k]))
		}
		want := num / math.Sqrt(ex*ep)
		if math.Abs(float64(f[b])-want) > 1e-5 {
			t.Fatalf("band %d: ρ = %.6f, go-dsp %.6f", b, f[b], want)
		}
	}
}

func complexConj(z complex128) complex128 { return complex(real(z), -imag(z)) }

func TestPitchAllocs(t *testing.T) {
	p, _ := NewPitch(DefaultConfig, 128, 24)
	a, _ := NewAnalyzer(DefaultConfig)
	hop := harmonic(DefaultConfig.Hop, 200, 16000)
	f := make([]float32, p.Size())
	if n := testing.AllocsPerRun(100, func() { p.Compute(f, a.Frame(hop), hop) }); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

func TestNewPitchErrors(t *testing.T) {
	for _, nb := range []int{0, 129} {
		if _, err := NewPitch(DefaultConfig, 128, nb); err == nil {
			t.Errorf("%d pitch bands of 128: want an error", nb)
		}
	}
}

// BenchmarkPitch times one frame of Pitch.Compute (search, FFT of the
// earlier window, band correlations); the frames' spectra are computed before.
func BenchmarkPitch(b *testing.B) {
	p, _ := NewPitch(DefaultConfig, 128, 16)
	an, _ := NewAnalyzer(DefaultConfig)
	x := harmonic(16000, 130, 16000)
	h := DefaultConfig.Hop
	nf := len(x) / h
	specs := make([][]complex128, nf)
	for i := range specs {
		specs[i] = append([]complex128(nil), an.Frame(x[i*h:(i+1)*h])...)
	}
	f := make([]float32, p.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % nf
		p.Compute(f, specs[j], x[j*h:(j+1)*h])
	}
}
