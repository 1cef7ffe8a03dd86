package cli

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/train"
)

// TestTrainRunRemovesFailedFolder calls a train run directly: it fails after
// its run folder was made (the CPU profile cannot be created) and leaves no
// folder behind, while a folder that was there before (as for --resume)
// stays.
func TestTrainRunRemovesFailedFolder(t *testing.T) {
	dir := t.TempDir()
	speech, noise := filepath.Join(dir, "speech"), filepath.Join(dir, "noise")
	for _, d := range []string{filepath.Join(speech, "a"), filepath.Join(speech, "b"), noise} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range []string{filepath.Join(speech, "a", "1.wav"), filepath.Join(speech, "b", "1.wav"), filepath.Join(noise, "1.wav"), filepath.Join(noise, "2.wav")} {
		writeTone(t, p, 200+50*float64(i))
	}
	existing := filepath.Join(dir, "existing")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, runDir := range []string{filepath.Join(dir, "new", "run"), existing} {
		cfg := train.DefaultConfig(enhancer.DefaultArch)
		cfg.Steps = 1
		r := trainRun{
			Kinds: []string{enhancer.KindGhost}, Dirs: []string{runDir},
			Features: cfg.Arch.Features, Lookahead: cfg.Arch.Lookahead, Skip: cfg.Arch.Skip, Base: cfg,
			Corpus:     train.CorpusConfig{Speech: []string{speech}, Noise: []string{noise}},
			CPUProfile: filepath.Join(dir, "missing", "cpu.prof"),
			Stderr:     io.Discard, Now: time.Now,
		}
		if err := r.check(); err != nil {
			t.Fatal(err)
		}
		if err := r.run(context.Background()); err == nil {
			t.Fatalf("%s: the run did not fail", runDir)
		}
		_, err := os.Stat(runDir)
		if runDir == existing && err != nil {
			t.Errorf("the folder that was there before is gone: %v", err)
		}
		if runDir != existing && err == nil {
			t.Errorf("the failed run left %s", runDir)
		}
	}
}

// writeTone writes 2 s of a harmonic tone at f0 Hz as a 16 kHz WAV file.
func writeTone(t *testing.T, path string, f0 float64) {
	t.Helper()
	x := make([]float32, 2*16000)
	for i := range x {
		for h := 1.0; h <= 5; h++ {
			x[i] += float32(0.05 / h * math.Sin(2*math.Pi*h*f0*float64(i)/16000))
		}
	}
	if err := writeMonoWAV(path, 16000, x); err != nil {
		t.Fatal(err)
	}
}
