package dsp

import (
	"math"
	"testing"
)

func TestERBBandsCoverBins(t *testing.T) {
	for _, nb := range []int{16, 32, 64} {
		bands, err := ERBBands(DefaultConfig, nb)
		if err != nil {
			t.Fatal(err)
		}
		if len(bands) != nb {
			t.Fatalf("%d bands, want %d", len(bands), nb)
		}
		cover := make([]float64, DefaultConfig.Bins())
		prev := -1
		for b, band := range bands {
			for i, w := range band.Weights {
				cover[band.Start+i] += w
			}
			c := band.Centre()
			if band.Weights[c-band.Start] != 1 {
				t.Fatalf("nb=%d band %d peaks at %v, want 1", nb, b, band.Weights[c-band.Start])
			}
			if c <= prev {
				t.Fatalf("nb=%d band %d centre %d not after %d", nb, b, c, prev)
			}
			prev = c
		}
		// Triangles with shared edges sum to 1 between the first and last centre.
		first, last := bands[0].Start+len(bands[0].Weights)/2, prev
		for k := first; k <= last; k++ {
			if math.Abs(cover[k]-1) > 1e-9 {
				t.Fatalf("nb=%d: bin %d weight sum %v, want 1", nb, k, cover[k])
			}
		}
	}
	if _, err := ERBBands(DefaultConfig, 200); err == nil {
		t.Error("200 bands in 161 bins: want an error")
	}
}

// TestFeatureLevel: a full-scale sine at the centre bin of a band reads ≈ 0 dB there,
// and the running mean converges so the feature decays towards 0.
func TestFeatureLevel(t *testing.T) {
	cfg := DefaultConfig
	bands, _ := ERBBands(cfg, 64)
	b := 40
	k0 := bands[b].Centre()
	a, _ := NewAnalyzer(cfg)
	f, _ := NewFeaturizer(cfg, 64)
	feat := make([]float32, 64)
	hop := make([]float32, cfg.Hop)
	n := 0
	var first float32
	for frame := 0; frame < 1000; frame++ {
		for i := range hop {
			hop[i] = float32(math.Sin(2 * math.Pi * float64(k0) * float64(n) / float64(cfg.Window)))
			n++
		}
		f.Compute(feat, a.Frame(hop))
		if frame == 3 {
			first = feat[b]
			if l := f.Levels()[b]; math.Abs(l) > 0.5 {
				t.Errorf("band %d level %.2f dB for a full-scale sine at its centre, want ≈ 0", b, l)
			}
		}
	}
	if first < 1 || math.Abs(float64(feat[b])) > 0.01 {
		t.Errorf("feature went from %v to %v; want a large onset decaying to ≈ 0", first, feat[b])
	}
}

func BenchmarkFeaturizer(b *testing.B) {
	cfg := DefaultConfig
	a, _ := NewAnalyzer(cfg)
	f, _ := NewFeaturizer(cfg, 64)
	x := a.Frame(randomSignal(cfg.Hop, 4))
	feat := make([]float32, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f.Compute(feat, x)
	}
}
