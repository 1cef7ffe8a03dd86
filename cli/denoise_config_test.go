package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/cli"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

// denoiseConfig returns a DenoiseConfig with the embedded model, default
// options and stderr captured in errb.
func denoiseConfig(t *testing.T, errb *bytes.Buffer, inputs ...string) cli.DenoiseConfig {
	t.Helper()
	m, err := models.Open("")
	if err != nil {
		t.Fatal(err)
	}
	return cli.DenoiseConfig{Inputs: inputs, Suffix: "_denoised", Jobs: 2, Quiet: true,
		Model: m, Options: enhancer.DefaultOptions, Mode: enhancer.EachChannel, Stderr: errb}
}

// TestDenoiseDirect: Denoise, called without the command line, processes a
// folder and reports one result per input.
func TestDenoiseDirect(t *testing.T) {
	dir := t.TempDir()
	f := audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16, Bits: 16}
	writeWAV(t, filepath.Join(dir, "a.wav"), f, clickTrain(4000, 1, 10, 500))
	writeWAV(t, filepath.Join(dir, "b.wav"), f, clickTrain(4000, 1, 10, 500))
	os.WriteFile(filepath.Join(dir, "c.wav"), []byte("not audio"), 0o644)
	var errb bytes.Buffer
	cfg := denoiseConfig(t, &errb, dir)
	var got []string
	cfg.OnResult = func(r cli.FileResult) { got = append(got, filepath.Base(r.Input)+" "+r.Status) }
	sum, err := cli.Denoise(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if want := "a.wav done,b.wav done,c.wav failed"; strings.Join(got, ",") != want {
		t.Errorf("results %q, want %q", got, want)
	}
	if sum.Files != 3 || sum.Done != 2 || sum.Failed != 1 || sum.AudioSec != 0.5 {
		t.Errorf("summary %+v", sum)
	}
	if !strings.Contains(errb.String(), "c.wav") {
		t.Errorf("stderr %q does not name the bad file", errb.String())
	}
	for _, n := range []string{"a_denoised.wav", "b_denoised.wav"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Error(err)
		}
	}
}
