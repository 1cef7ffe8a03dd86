package train

import (
	"bytes"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// TestBudgetSplit checks the split on random spectra: G = 1 leaves no
// distortion and all the noise, G = 0 no residual and all the speech as
// distortion, and the oracle never does worse than either.
func TestBudgetSplit(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const k, nt = 161, 20
	sp := Spectra{Frames: nt}
	var noise float64
	for i := 0; i < k*nt; i++ {
		s := complex(rng.NormFloat64(), rng.NormFloat64())
		n := complex(0.5*rng.NormFloat64(), 0.5*rng.NormFloat64())
		x := s + n
		sp.XP = append(sp.XP, float32(real(x)*real(x)+imag(x)*imag(x)))
		sp.XS = append(sp.XS, float32(real(x)*real(s)+imag(x)*imag(s)))
		sp.SS = append(sp.SS, float32(real(s)*real(s)+imag(s)*imag(s)))
		noise += real(n)*real(n) + imag(n)*imag(n)
	}
	for _, tc := range []struct {
		g          float32
		wantD, wnR func(b budget) float64
	}{
		{1, func(b budget) float64 { return 0 }, func(b budget) float64 { return noise }},
		{0, func(b budget) float64 { return b.P }, func(b budget) float64 { return 0 }},
	} {
		var b budget
		g := make([]float32, k*nt)
		for i := range g {
			g[i] = tc.g
		}
		b.add(sp, g, 0, k)
		if d, r := tc.wantD(b), tc.wnR(b); math.Abs(b.D-d) > 1e-3*b.P || math.Abs(b.R-r) > 1e-3*b.P {
			t.Errorf("G = %v: distortion %.4g residual %.4g, want %.4g and %.4g", tc.g, b.D, b.R, d, r)
		}
		if b.EOracle > b.E*(1+1e-6) {
			t.Errorf("G = %v: oracle error %.4g above the gains' %.4g", tc.g, b.EOracle, b.E)
		}
	}
}

// TestMeanSE checks meanSE on numbers worked by hand.
func TestMeanSE(t *testing.T) {
	for _, tc := range []struct {
		xs       []float64
		mean, se float64
	}{
		{[]float64{1, 1, 1}, 1, 0},
		{[]float64{1, 3}, 2, 1}, // sd √2, n 2
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, math.Sqrt(32.0 / 7 / 8)},
	} {
		m, se := meanSE(tc.xs)
		if math.Abs(m-tc.mean) > 1e-12 || math.Abs(se-tc.se) > 1e-12 {
			t.Errorf("meanSE(%v) = %v, %v; want %v, %v", tc.xs, m, se, tc.mean, tc.se)
		}
	}
}

// TestMeasurements runs every measurement of the list on the generated
// corpus with two small random models, few mixtures each,
// and checks that each prints a Markdown table with a header, a separator
// and as many rows as it should (one per model and set), all cells finite
// numbers or text.
func TestMeasurements(t *testing.T) {
	net, err := NewNet[float32](smallConfig(enhancer.KindGRU, "").Arch)
	if err != nil {
		t.Fatal(err)
	}
	var mods []*enhancer.Model
	for seed := range int64(2) {
		m := net.Model(float32(DefaultLoss.GainFloor))
		m.InitRandom(rand.New(rand.NewSource(seed)))
		mods = append(mods, m)
	}
	in := MeasureInput{Names: []string{"a", "b"}, Models: mods, Corpus: synthCorpus(3), ValClips: 2, More: 2}
	wantRows := map[string]int{"validation": 8 + 2, "targets": 2, "gap": 2 * 6, "by-noise": 2 + 1, "budget": 2 * 3, "ceilings": len(Oracles()) + 2 + 2, "distortion": 3 * (2 + 2)}
	seen := map[string]bool{}
	for _, ms := range Measurements {
		if seen[ms.Name] {
			t.Errorf("measurement %q listed twice", ms.Name)
		}
		seen[ms.Name] = true
		var b bytes.Buffer
		t0 := time.Now()
		if err := ms.Run(&b, in); err != nil {
			t.Errorf("%s: %v", ms.Name, err)
			continue
		}
		t.Logf("%s %v", ms.Name, time.Since(t0))
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		if len(lines) < 3 || !strings.HasPrefix(lines[1], "|---|") {
			t.Errorf("%s: not a Markdown table:\n%s", ms.Name, b.String())
			continue
		}
		if want, ok := wantRows[ms.Name]; !ok {
			t.Errorf("%s: add its row count to this test", ms.Name)
		} else if got := len(lines) - 2; got != want {
			t.Errorf("%s: %d rows, want %d:\n%s", ms.Name, got, want, b.String())
		}
		if s := b.String(); strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
			t.Errorf("%s: a cell is not a finite number:\n%s", ms.Name, s)
		}
	}
}

// TestHeldOutSplit: a corpus loaded with a model's own split holds out
// exactly the groups its metadata names, whatever the hash rule would pick,
// and refuses a split that names a group the corpus does not have.
func TestHeldOutSplit(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, p := range []string{"speech/s1/a.wav", "speech/s2/a.wav", "speech/s3/a.wav", "noise/n1.wav", "noise/n2.wav"} {
		files = append(files, filepath.Join(dir, p))
	}
	decode := func(string) ([]float32, int, error) { return make([]float32, SampleRate), SampleRate, nil }
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cc := CorpusConfig{Speech: []string{filepath.Join(dir, "speech")}, Noise: []string{filepath.Join(dir, "noise")}, Decode: decode}
	for _, want := range []Split{{Speakers: []string{"s2"}, Noise: []string{"n1.wav"}}, {Speakers: []string{"s1", "s3"}, Noise: []string{"n2.wav"}}} {
		sp, err := ParseSplit(SplitRule + "; val_speakers=" + strings.Join(want.Speakers, ",") + "; val_noise=" + strings.Join(want.Noise, ",") + "; val_files=1+1")
		if err != nil {
			t.Fatal(err)
		}
		cc.HeldOut = &sp
		c, err := LoadCorpus(cc, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.ValSpeakers, want.Speakers) || !slices.Equal(c.ValNoiseIDs, want.Noise) ||
			len(c.ValSpeech) != len(want.Speakers) || len(c.Speech) != 3-len(want.Speakers) || len(c.ValNoise) != 1 {
			t.Errorf("held out %v / %v (%d + %d files), want %v / %v", c.ValSpeakers, c.ValNoiseIDs, len(c.ValSpeech), len(c.ValNoise), want.Speakers, want.Noise)
		}
	}
	cc.HeldOut = &Split{Speakers: []string{"s9"}}
	if _, err := LoadCorpus(cc, nil); err == nil || !strings.Contains(err.Error(), `"s9"`) {
		t.Errorf("a split naming a missing speaker: %v", err)
	}
	if _, err := ParseSplit("no split here"); err == nil {
		t.Error("ParseSplit accepted metadata without a split")
	}
}
