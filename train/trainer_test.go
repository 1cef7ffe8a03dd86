package train

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

// smallConfig is a fast configuration on the synthetic corpus.
func smallConfig(kind string, dir string) Config {
	a := enhancer.Arch{Kind: kind, Features: 16, Hidden: 16, Layers: 2, Ratio: 2, Bins: 161, GhostAct: "tanh", Framing: enhancer.DefaultFraming, Skip: 1}
	if kind == enhancer.KindGRU {
		a.Ratio = 1
	}
	cfg := DefaultConfig(a)
	cfg.Batch, cfg.Mix.Seconds, cfg.ValClips, cfg.ValEvery, cfg.Warmup = 4, 0.5, 1, 5, 3
	cfg.Seed, cfg.RunDir = 7, dir
	return cfg
}

// smallV2Config is smallConfig's GhostRNN as a v2 graph with a 4-channel
// head and a deep filter on bins 0 … 9.
func smallV2Config(dir string) Config {
	cfg := smallConfig(enhancer.KindGhost, dir)
	cfg.Arch.Graph, cfg.Arch.Channels, cfg.Arch.DF = enhancer.GraphV2, 4, 10
	return cfg
}

func losses(t *testing.T, tr *Trainer, c *Corpus, n int) []float64 {
	t.Helper()
	var ls []float64
	for i := 0; i < n; i++ {
		b := MakeBatch(&tr.cfg, c, tr.Step(), 2)
		l, _ := tr.TrainStep(b, tr.cfg.lr(tr.Step(), 0))
		ls = append(ls, l)
	}
	return ls
}

// TestDeterminism checks that the same seed gives the same first 10 losses,
// and another seed different ones.
func TestDeterminism(t *testing.T) {
	c := synthCorpus(1)
	for _, kind := range []string{enhancer.KindGhost, enhancer.KindGRU, "v2-df"} {
		t.Run(kind, func(t *testing.T) {
			run := func(seed uint64) []float64 {
				cfg := smallConfig(kind, "")
				if kind == "v2-df" {
					cfg = smallV2Config("")
				}
				cfg.Steps, cfg.Seed = 10, seed
				tr, err := NewTrainer(cfg, c)
				if err != nil {
					t.Fatal(err)
				}
				return losses(t, tr, c, 10)
			}
			a, b, d := run(7), run(7), run(8)
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("step %d: loss %v then %v with the same seed", i, a[i], b[i])
				}
			}
			if a[0] == d[0] {
				t.Errorf("seeds 7 and 8 gave the same first loss %v", a[0])
			}
		})
	}
}

// TestCheckpointResume checks that a run saved after 5 steps and resumed
// from its checkpoint continues exactly as an uninterrupted run (weights,
// Adam moments, step and data stream), and that Run writes the checkpoint,
// logs, curves and a best model that loads with its metadata.
func TestCheckpointResume(t *testing.T) {
	t.Run("v1", func(t *testing.T) { checkpointResume(t, smallConfig(enhancer.KindGhost, "")) })
	t.Run("v2-df", func(t *testing.T) { checkpointResume(t, smallV2Config("")) })
}

func checkpointResume(t *testing.T, cfg Config) {
	c := synthCorpus(2)
	dir := t.TempDir()
	cfg.RunDir = filepath.Join(dir, "a")
	cfg.Steps = 10
	full, err := NewTrainer(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	want := losses(t, full, c, 10)

	cfg.RunDir = filepath.Join(dir, "b")
	first, err := NewTrainer(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	losses(t, first, c, 5)
	if err := first.save(); err != nil {
		t.Fatal(err)
	}
	cfg.Resume = true
	second, err := NewTrainer(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	if second.Step() != 5 {
		t.Fatalf("resumed at step %d, want 5", second.Step())
	}
	got := losses(t, second, c, 5)
	for i := range got {
		if got[i] != want[5+i] {
			t.Errorf("step %d after resume: loss %v, uninterrupted %v", 5+i, got[i], want[5+i])
		}
	}
	for i := range full.net.P {
		if full.net.P[i] != second.net.P[i] {
			t.Fatalf("parameter %d differs after resume: %v vs %v", i, second.net.P[i], full.net.P[i])
		}
	}

	// Run: budget of 12 steps from the resumed state, validation every 5.
	second.cfg.Steps = 12
	if err := second.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if second.Step() != 12 {
		t.Errorf("ran to step %d, want 12", second.Step())
	}
	for _, f := range []string{"checkpoint.gob", "log.jsonl", "curves.png", "best.safetensors"} {
		if _, err := os.Stat(filepath.Join(cfg.RunDir, f)); err != nil {
			t.Error(err)
		}
	}
	m, err := models.Load(filepath.Join(cfg.RunDir, "best.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Arch != cfg.Arch || m.Meta["split"] == "" || m.GainFloor != float32(cfg.Loss.GainFloor) {
		t.Errorf("loaded model: arch %+v floor %v split %q", m.Arch, m.GainFloor, m.Meta["split"])
	}
}

// TestInterrupt checks that a cancelled run saves a checkpoint and stops.
func TestInterrupt(t *testing.T) {
	c := synthCorpus(3)
	cfg := smallConfig(enhancer.KindGRU, t.TempDir())
	cfg.Steps = 1000
	tr, err := NewTrainer(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tr.Run(ctx); err != context.Canceled {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if _, err := LoadCheckpoint(filepath.Join(cfg.RunDir, "checkpoint.gob")); err != nil {
		t.Fatal(err)
	}
}

// TestInit checks that Config.Init starts the net from the given weights
// (not the seed's random ones), that a later step moves them, and that a
// model of another architecture is refused.
func TestInit(t *testing.T) {
	c := synthCorpus(3)
	cfg := smallConfig(enhancer.KindGhost, "")
	cfg.Steps = 2
	src, err := NewTrainer(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	losses(t, src, c, 2) // weights that no seed's initialisation gives
	m := src.Net().Model(float32(cfg.Loss.GainFloor))

	cfg.Init = m
	tr, err := NewTrainer(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	got := tr.Net().Model(float32(cfg.Loss.GainFloor))
	for name, w := range m.Weights {
		for i := range w {
			if got.Weights[name][i] != w[i] {
				t.Fatalf("%s[%d] = %v, want the initial model's %v", name, i, got.Weights[name][i], w[i])
			}
		}
	}
	if tr.Checkpoint().Config.Init != nil {
		t.Error("the checkpoint keeps a copy of the initial model")
	}
	before := append([]float32(nil), tr.Net().P...)
	losses(t, tr, c, 1)
	moved := false
	for i, v := range tr.Net().P {
		moved = moved || v != before[i]
	}
	if !moved {
		t.Error("a training step did not change the weights")
	}

	other := smallConfig(enhancer.KindGRU, "")
	other.Init = m
	if _, err := NewTrainer(other, c); err == nil {
		t.Error("a GhostGRU model was accepted as the start of a GRU run")
	}
}

// TestAblate: Config.Ablate turns the named guards off over the recipe, and
// an unknown name is refused.
func TestAblate(t *testing.T) {
	cfg := smallConfig(enhancer.KindGhost, "")
	cfg.Steps = 1
	cfg.Ablate = []string{"sdr", "noise-mix"}
	tr, err := NewTrainer(cfg, synthCorpus(1))
	if err != nil {
		t.Fatal(err)
	}
	got := tr.cfg
	if got.Loss.SDRWeight != 0 || got.Mix.NoiseSpeedProb != 0 || got.Mix.NoiseMixProb != 0 {
		t.Errorf("ablated sdr and noise-mix, got SDR weight %v, noise speed p %v, second noise p %v", got.Loss.SDRWeight, got.Mix.NoiseSpeedProb, got.Mix.NoiseMixProb)
	}
	if got.Loss.UnderWeight != DefaultLoss.UnderWeight || got.Mix.SpeedProb != DefaultMix.SpeedProb {
		t.Errorf("guards not named were changed: %+v", got)
	}
	cfg.Ablate = []string{"nope"}
	if _, err := NewTrainer(cfg, synthCorpus(1)); err == nil {
		t.Error("an unknown ablation was accepted")
	}
}
