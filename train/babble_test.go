package train

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// hashSamples is the MD5 of the float32 bits of xs, in order.
func hashSamples(xs ...[]float32) string {
	h := md5.New()
	var b [4]byte
	for _, x := range xs {
		for _, v := range x {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			h.Write(b[:])
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestV1RecipeAndValSetUnchanged pins, on the synthetic corpus, the
// mixtures of the recipe with the v2 data augmentations (babble, silent
// stretches) off and the validation set: both hashes were taken before
// those augmentations existed, so a disabled augmentation draws no random
// numbers and validation is untouched. (A deliberate change of the v1
// mixtures or of ValSet must update the pins.)
func TestV1RecipeAndValSetUnchanged(t *testing.T) {
	c := synthCorpus(1)
	cfg := DefaultMix
	cfg.BabbleProb, cfg.SilenceProb = 0, 0
	var all [][]float32
	for i := 0; i < 40; i++ {
		rng := rand.New(rand.NewPCG(7, uint64(i)))
		x, y := Mixture(rng, cfg, c.Speech, c.Noise, c.RIR, 8000)
		all = append(all, x, y)
	}
	if got, want := hashSamples(all...), "ac602b4bbed20fd6e29a62ef5f87337f"; got != want {
		t.Errorf("v1-recipe mixtures hash %s, want %s", got, want)
	}
	h := md5.New()
	for _, it := range ValSet(c, 12) {
		fmt.Fprint(h, it.Cond, it.SNR, hashSamples(it.Noisy, it.Clean))
	}
	if got, want := fmt.Sprintf("%x", h.Sum(nil)), "d7aed3e96d3c83dfd4aec65bc85effbb"; got != want {
		t.Errorf("ValSet hash %s, want %s", got, want)
	}
}

// toneCorpus has speakers "s0", "s1", … whose clips are 2 s sines at
// 200 + 100·i Hz with amplitude 0.02·(i + 1) (whole periods, so they loop
// seamlessly); the first nVal are held out.
func toneCorpus(nTrain, nVal int) *Corpus {
	c := &Corpus{}
	for i := 0; i < nTrain+nVal; i++ {
		x := make([]float32, 2*SampleRate)
		for j := range x {
			x[j] = float32(0.02 * float64(i+1) * math.Sin(2*math.Pi*toneHz(i)*float64(j)/SampleRate))
		}
		cl := Clip{Group: fmt.Sprintf("s%d", i), Samples: x}
		if i < nVal {
			c.ValSpeech = append(c.ValSpeech, cl)
			c.ValSpeakers = append(c.ValSpeakers, cl.Group)
		} else {
			c.Speech = append(c.Speech, cl)
		}
	}
	return c
}

func toneHz(i int) float64 { return 200 + 100*float64(i) }

// toneAmp is the amplitude of the sine at f Hz (a whole number) in x of
// whole seconds.
func toneAmp(x []float32, f float64) float64 {
	var re, im float64
	for j, v := range x {
		w := 2 * math.Pi * f * float64(j) / SampleRate
		re += float64(v) * math.Cos(w)
		im += float64(v) * math.Sin(w)
	}
	return 2 * math.Hypot(re, im) / float64(len(x))
}

// TestBabbleTalkers: babble holds 3 … 8 distinct training speakers (both
// ends reached), never the excluded one, never a validation speaker, and
// gives up when fewer than 3 speakers remain.
func TestBabbleTalkers(t *testing.T) {
	c := toneCorpus(12, 3)
	cfg := DefaultMix
	rng := rand.New(rand.NewPCG(5, 6))
	seen := map[int]bool{}
	for i := 0; i < 300; i++ {
		ex := c.Speech[rng.IntN(len(c.Speech))].Group
		b, talkers := babble(rng, cfg, c.Speech, nil, ex, SampleRate)
		if len(b) != SampleRate {
			t.Fatalf("%d samples, want %d", len(b), SampleRate)
		}
		seen[len(talkers)] = true
		if len(talkers) < 3 || len(talkers) > 8 {
			t.Errorf("%d talkers, want 3 … 8", len(talkers))
		}
		for j, g := range talkers {
			if g == ex {
				t.Errorf("the target's speaker %s is in the babble", g)
			}
			if slices.Contains(c.ValSpeakers, g) {
				t.Errorf("validation speaker %s is in the babble", g)
			}
			if slices.Contains(talkers[:j], g) {
				t.Errorf("speaker %s twice in %v", g, talkers)
			}
		}
	}
	if !seen[3] || !seen[8] {
		t.Errorf("talker counts seen %v, want 3 and 8 among them", seen)
	}
	few := toneCorpus(3, 0)
	if b, _ := babble(rng, cfg, few.Speech, nil, "s0", SampleRate); b != nil {
		t.Error("babble of 2 speakers was made")
	}
	if _, talkers := babble(rng, cfg, few.Speech, nil, "", SampleRate); len(talkers) != 3 {
		t.Errorf("%d talkers from 3 speakers and no target, want 3", len(talkers))
	}
}

// TestMixtureBabble runs Mixture with babble as the only noise on the tone
// corpus: the noise (noisy − clean) holds 3 … 5 of the other training
// speakers' tones at one level (level matching: their clips differ by up to
// 15 dB), never the target's tone nor a validation speaker's, and its SNR
// respects BabbleSNRMin.
func TestMixtureBabble(t *testing.T) {
	c := toneCorpus(6, 2)
	cfg := MixConfig{SNRMin: -5, SNRMax: 20, LevelMin: -20, LevelMax: -20, BabbleProb: 1, BabbleSNRMin: 0}
	rng := rand.New(rand.NewPCG(8, 9))
	below := 0
	for i := 0; i < 30; i++ {
		noisy, clean := Mixture(rng, cfg, c.Speech, nil, nil, SampleRate)
		nz := make([]float32, len(noisy))
		for j := range nz {
			nz[j] = noisy[j] - clean[j]
		}
		if snr := 10 * math.Log10(power(clean)/power(nz)); snr < -0.01 {
			t.Errorf("babble at %.2f dB SNR, below BabbleSNRMin 0", snr)
		}
		target, ref := -1, 0.0
		for k := 0; k < 8; k++ {
			if a := toneAmp(clean, toneHz(k)); a > ref {
				target, ref = k, a
			}
		}
		var amps []float64
		for k := 0; k < 8; k++ {
			a := toneAmp(nz, toneHz(k))
			if k < 2 && a > 1e-4*ref {
				t.Errorf("validation speaker s%d in the noise (amplitude %.2g)", k, a)
			}
			if k != target && a > 1e-3*ref {
				amps = append(amps, a)
			}
		}
		if target < 2 {
			t.Fatalf("target tone %d, want a training speaker", target)
		}
		if a := toneAmp(nz, toneHz(target)); a > 1e-4*ref {
			t.Errorf("the target's own tone is in the babble (%.2g of %.2g)", a, ref)
		}
		if len(amps) < 3 || len(amps) > 5 {
			t.Errorf("%d talkers in the noise, want 3 … 5", len(amps))
			continue
		}
		if lo, hi := slices.Min(amps), slices.Max(amps); 20*math.Log10(hi/lo) > 0.1 {
			t.Errorf("talker levels span %.2f dB, want level-matched", 20*math.Log10(hi/lo))
		}
	}
	// Without the floor, some draws go below 0 dB.
	cfg.BabbleSNRMin = -5
	for i := 0; i < 30; i++ {
		noisy, clean := Mixture(rng, cfg, c.Speech, nil, nil, SampleRate)
		var pn float64
		for j := range noisy {
			d := float64(noisy[j] - clean[j])
			pn += d * d
		}
		if power(clean)*float64(len(clean)) < pn {
			below++
		}
	}
	if below == 0 {
		t.Error("no babble mixture below 0 dB with BabbleSNRMin −5")
	}
}

// TestBabbleReverb: with BabbleReverbProb = 1 the babble is smeared in time
// (a room response), and it is as long as asked.
func TestBabbleReverb(t *testing.T) {
	c := toneCorpus(5, 0)
	// a click train speaker makes the smear visible
	clk := make([]float32, 2*SampleRate)
	for j := 0; j < len(clk); j += SampleRate / 4 {
		clk[j] = 1
	}
	for i := range c.Speech {
		c.Speech[i].Samples = clk
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, p := range []float64{0, 1} {
		b, _ := babble(rng, MixConfig{BabbleReverbProb: p, SyntheticRIRProb: 1}, c.Speech, nil, "", SampleRate)
		if len(b) != SampleRate {
			t.Fatalf("%d samples, want %d", len(b), SampleRate)
		}
		nonzero := 0
		for _, v := range b {
			if math.Abs(float64(v)) > 1e-6 {
				nonzero++
			}
		}
		if p == 0 && nonzero > 40 {
			t.Errorf("dry babble of clicks has %d nonzero samples, want ≤ 40", nonzero)
		}
		if p == 1 && nonzero < SampleRate/2 {
			t.Errorf("reverberant babble of clicks has %d nonzero samples, want most of %d", nonzero, SampleRate)
		}
	}
}

// TestInsertSilence: the stretch is 0.2 … 1.5 s (at most half), at the start
// or inside, the target is exactly zero there, the content after it is the
// content from its start moved by its length, and the floor in it is
// digital zero, ±1 LSB dither, or white or pink noise at −90 … −70 dBFS, each
// of them drawn.
func TestInsertSilence(t *testing.T) {
	const n = 3 * SampleRate
	src := rand.New(rand.NewPCG(2, 3))
	orig := make([]float32, n)
	for i := range orig {
		orig[i] = float32(0.03 * src.NormFloat64())
	}
	rng := rand.New(rand.NewPCG(4, 5))
	kinds := map[int]int{}
	starts, inside := 0, 0
	for it := 0; it < 120; it++ {
		noisy := append([]float32(nil), orig...)
		clean := append([]float32(nil), orig...)
		at, l, kind := insertSilence(rng, noisy, clean)
		kinds[kind]++
		if at == 0 {
			starts++
		} else {
			inside++
		}
		if l < int(0.2*SampleRate) || l > int(1.5*SampleRate) || at+l > n {
			t.Fatalf("stretch [%d, %d) of %d", at, at+l, n)
		}
		for i := at; i < at+l; i++ {
			if clean[i] != 0 {
				t.Fatalf("target %g at %d inside the stretch [%d, %d)", clean[i], i, at, at+l)
			}
		}
		for i := at + l + silenceFade; i < n; i++ {
			if clean[i] != orig[i-l] {
				t.Fatalf("target at %d is not the content moved by %d", i, l)
			}
		}
		for i := 0; i < at-silenceFade; i++ {
			if clean[i] != orig[i] {
				t.Fatalf("target at %d before the stretch changed", i)
			}
		}
		fl := noisy[at : at+l]
		rms := math.Sqrt(power(fl))
		switch kind {
		case floorZero:
			if rms != 0 {
				t.Errorf("digital silence has RMS %g", rms)
			}
		case floorDither:
			for _, v := range fl {
				if q := v * 32768; q != -1 && q != 0 && q != 1 {
					t.Fatalf("dither sample %g LSB, want −1, 0 or 1", q)
				}
			}
			if rms == 0 {
				t.Error("dither is all zero")
			}
		case floorWhite, floorPink:
			if db := 20 * math.Log10(rms); db < -91 || db > -69 {
				t.Errorf("floor kind %d at %.1f dBFS, want −90 … −70", kind, db)
			}
			var r0, r1 float64 // lag-1 autocorrelation: ≈ 0 white, high pink
			for i := 1; i < len(fl); i++ {
				r0 += float64(fl[i]) * float64(fl[i])
				r1 += float64(fl[i]) * float64(fl[i-1])
			}
			if r := r1 / r0; (kind == floorWhite) != (r < 0.3) {
				t.Errorf("floor kind %d has lag-1 correlation %.2f", kind, r)
			}
		}
	}
	if len(kinds) != floorKinds || starts < 30 || inside < 30 {
		t.Errorf("kinds %v, %d at the start, %d inside; want all %d kinds and both places", kinds, starts, inside, floorKinds)
	}
}

// TestSilentTrainingFinite trains on batches where every sequence has a
// silent stretch (digital zero included), with speech and noise and with
// clean speech only, for the v1 and the v2 graph: features, targets, loss
// and gradient norm stay finite.
func TestSilentTrainingFinite(t *testing.T) {
	c := synthCorpus(3)
	for _, a := range []enhancer.Arch{smallConfig(enhancer.KindGhost, "").Arch, enhancer.V2Arch} {
		for _, cleanOnly := range []float64{0, 1} {
			t.Run(fmt.Sprintf("%s-%s-clean%g", a.Kind, graphName(a), cleanOnly), func(t *testing.T) {
				cfg := smallConfig(a.Kind, "")
				cfg.Arch, cfg.Batch, cfg.Steps = a, 4, 3
				cfg.Mix.SilenceProb, cfg.Mix.CleanOnly, cfg.Mix.NoiseOnly = 1, cleanOnly, 0
				tr, err := NewTrainer(cfg, c)
				if err != nil {
					t.Fatal(err)
				}
				for s := 0; s < 3; s++ {
					b := MakeBatch(&tr.cfg, c, s, 2)
					tg := b.Targets
					for _, xs := range [][]float32{b.Feat, tg.XC, tg.SC, tg.PC, tg.XP, tg.XS, tg.SS} {
						for _, v := range xs {
							if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
								t.Fatalf("step %d: non-finite feature or target %v", s, v)
							}
						}
					}
					l, g := tr.TrainStep(b, 1e-3)
					if math.IsNaN(l) || math.IsInf(l, 0) || math.IsNaN(g) || math.IsInf(g, 0) {
						t.Fatalf("step %d: loss %v, gradient norm %v", s, l, g)
					}
				}
			})
		}
	}
}

// TestMixtureV2Deterministic: with babble and silence always on, the same
// generator state gives the same mixture, to the bit.
func TestMixtureV2Deterministic(t *testing.T) {
	c := synthCorpus(1)
	cfg := DefaultMix
	cfg.BabbleProb, cfg.SilenceProb, cfg.BabbleReverbProb = 1, 1, 1
	run := func() string {
		var all [][]float32
		for i := 0; i < 10; i++ {
			x, y := Mixture(rand.New(rand.NewPCG(11, uint64(i))), cfg, c.Speech, c.Noise, c.RIR, 8000)
			all = append(all, x, y)
		}
		return hashSamples(all...)
	}
	if a, b := run(), run(); a != b {
		t.Errorf("same seeds, mixtures %s then %s", a, b)
	}
}

// TestAblateData: the "babble" and "silence" ablations turn exactly those
// augmentations off.
func TestAblateData(t *testing.T) {
	cfg := smallConfig(enhancer.KindGhost, "")
	cfg.Steps = 1
	cfg.Ablate = []string{"babble", "silence"}
	tr, err := NewTrainer(cfg, synthCorpus(1))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultMix
	want.Seconds = cfg.Mix.Seconds
	want.BabbleProb, want.SilenceProb = 0, 0
	if tr.cfg.Mix != want {
		t.Errorf("mix after ablating babble and silence %+v, want %+v", tr.cfg.Mix, want)
	}
}

// benchCorpus loads ../shared/data once for the benchmarks, or skips.
var benchCorpus = sync.OnceValues(func() (*Corpus, error) {
	return LoadCorpus(CorpusConfig{Data: filepath.Join("..", "..", "shared", "data")}, nil)
})

func loadBenchCorpus(b *testing.B) *Corpus {
	c, err := benchCorpus()
	if err != nil {
		b.Skipf("skipping: no corpus at ../shared/data: %v", err)
	}
	return c
}

// BenchmarkMakeBatchCorpus generates training batches (8 × 3 s, one worker)
// from ../shared/data with the v1 recipe (babble and silent stretches off),
// the shipped recipe, and each new augmentation always on, in data frames
// per second.
func BenchmarkMakeBatchCorpus(b *testing.B) {
	c := loadBenchCorpus(b)
	for _, r := range []struct {
		name            string
		babble, silence float64
	}{{"v1-recipe", 0, 0}, {"default", DefaultMix.BabbleProb, DefaultMix.SilenceProb}, {"babble=1", 1, 0}, {"silence=1", 0, 1}} {
		for _, a := range []enhancer.Arch{enhancer.DefaultArch, enhancer.V2Arch} {
			b.Run(fmt.Sprintf("%s/%s", r.name, graphName(a)), func(b *testing.B) {
				cfg := DefaultConfig(a)
				cfg.Mix.BabbleProb, cfg.Mix.SilenceProb = r.babble, r.silence
				cpu0 := cpuSeconds()
				for i := 0; i < b.N; i++ {
					MakeBatch(&cfg, c, i, 1)
				}
				b.ReportMetric(float64(b.N*cfg.Batch*300)/b.Elapsed().Seconds(), "frames/s")
				// CPU time is steadier than wall time on a shared machine.
				b.ReportMetric((cpuSeconds()-cpu0)*1e3/float64(b.N), "cpu-ms/batch")
			})
		}
	}
}

// BenchmarkAugmentCorpus times one call of each new augmentation on 3 s
// from ../shared/data: babble dry and through a room response, a silent
// stretch, and for scale a noise excerpt as the v1 recipe picks it.
func BenchmarkAugmentCorpus(b *testing.B) {
	c := loadBenchCorpus(b)
	const n = 3 * SampleRate
	for _, r := range []struct {
		name string
		f    func(rng *rand.Rand)
	}{
		{"babble-dry", func(rng *rand.Rand) { babble(rng, MixConfig{}, c.Speech, c.RIR, "", n) }},
		{"babble-reverb", func(rng *rand.Rand) { babble(rng, MixConfig{BabbleReverbProb: 1}, c.Speech, c.RIR, "", n) }},
		{"silence", func(rng *rand.Rand) { insertSilence(rng, make([]float32, n), make([]float32, n)) }},
		{"pick-noise", func(rng *rand.Rand) { pickNoise(rng, DefaultMix, c.Noise, n) }},
	} {
		b.Run(r.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			for i := 0; i < b.N; i++ {
				r.f(rng)
			}
		})
	}
}

// graphName names a's graph for subtest names.
func graphName(a enhancer.Arch) string {
	if a.Graph == "" {
		return "v1"
	}
	return a.Graph
}

// cpuSeconds is the process's user + system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// TestCircularSteadyState: the circular convolution as long as x (babble's
// reverb) equals the linear one from len(h) − 1 on, and not before (where
// the wrap-around lands).
func TestCircularSteadyState(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	x, h := make([]float32, 1000), make([]float32, 300)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range h {
		h[i] = float32(rng.NormFloat64())
	}
	lin := make([]float64, len(x)) // direct sum
	for i := range lin {
		for k := 0; k <= min(i, len(h)-1); k++ {
			lin[i] += float64(h[k]) * float64(x[i-k])
		}
	}
	c := circular(x, pow2(len(x)), h)[0]
	for i := len(h) - 1; i < len(x); i++ {
		if d := math.Abs(float64(c[i]) - lin[i]); d > 1e-4 {
			t.Fatalf("y[%d] = %v, linear %v", i, c[i], lin[i])
		}
	}
	if d := math.Abs(float64(c[0]) - lin[0]); d < 1e-2 {
		t.Errorf("y[0] = %v equals the linear %v: no wrap-around seen", c[0], lin[0])
	}
	if y := Convolve(x, h)[0]; math.Abs(float64(y[0])-lin[0]) > 1e-4 || math.Abs(float64(y[999])-lin[999]) > 1e-4 {
		t.Errorf("Convolve y[0], y[999] = %v, %v; linear %v, %v", y[0], y[999], lin[0], lin[999])
	}
}
