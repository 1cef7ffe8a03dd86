package cli_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio"
)

// voiced returns a speech-like test signal: harmonic bursts with a
// syllable-rate envelope and pauses.
func voiced(n, rate int, seed int64) []float32 {
	rng := rand.New(rand.NewSource(seed))
	f0 := 110 + 60*rng.Float64()
	x := make([]float32, n)
	for i := range x {
		t := float64(i) / float64(rate)
		env := math.Max(0, math.Sin(2*math.Pi*3*t))
		v := 0.0
		for h := 1; h <= 12; h++ {
			v += math.Sin(2*math.Pi*f0*float64(h)*t*(1+0.02*math.Sin(2*math.Pi*0.5*t))) / float64(h)
		}
		x[i] = float32(0.15 * env * v)
	}
	return x
}

func TestCompare(t *testing.T) {
	noisy, clean := t.TempDir(), t.TempDir()
	f := audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16, Bits: 16}
	rng := rand.New(rand.NewSource(1))
	for i, name := range []string{"a.wav", "b.wav"} {
		x := voiced(16000*3, 16000, int64(i))
		y := make([]float32, len(x))
		for j := range x {
			y[j] = x[j] + float32(0.03*rng.NormFloat64())
		}
		writeWAV(t, filepath.Join(clean, name), f, x)
		writeWAV(t, filepath.Join(noisy, name), f, y)
	}
	args := []string{"compare", noisy, "--clean", clean, "--json"}
	rnnn := "../../shared/anchors/rnnoise-models/sh.rnnn"
	haveRNNN := false
	if _, err := os.Stat(rnnn); err == nil {
		args = append(args, "--rnnn", rnnn)
		haveRNNN = true
	}
	res := ghostrnn(t, nil, args...)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var out struct {
		Files   int
		Systems []struct {
			System  string
			Files   int
			STOI    float64
			SISDR   float64 `json:"si_sdr"`
			RTF     float64
			Skipped string
		}
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, res.stdout)
	}
	_, ffErr := exec.LookPath("ffmpeg")
	_, soxErr := exec.LookPath("sox")
	seen := map[string]bool{}
	for _, s := range out.Systems {
		name := strings.Fields(s.System)[0] + " " + strings.Fields(s.System + " x")[1]
		seen[name] = true
		mustRun := s.System == "ghostrnn" || s.System == "noisy input" ||
			(strings.HasPrefix(s.System, "ffmpeg afftdn") && ffErr == nil) ||
			(strings.HasPrefix(s.System, "ffmpeg arnndn") && ffErr == nil && haveRNNN) ||
			(strings.HasPrefix(s.System, "sox") && soxErr == nil)
		if !mustRun {
			if s.Skipped == "" {
				t.Errorf("%s ran although its tool is missing", s.System)
			}
			continue
		}
		if s.Skipped != "" || s.Files != 2 || s.STOI <= 0 || s.STOI > 1 || s.RTF <= 0 {
			t.Errorf("%s: %+v", s.System, s)
		}
	}
	if len(out.Systems) != 5 {
		t.Errorf("want 5 systems, got %d: %s", len(out.Systems), res.stdout)
	}
	t.Log(res.stdout)
}

// TestCompareBadClean: a wrong --clean folder is one clear error and a
// non-zero exit, before any system runs; without --clean the scores that
// were not measured are null in --json, not 0.
func TestCompareBadClean(t *testing.T) {
	noisy, other := t.TempDir(), t.TempDir()
	for i := 0; i < 20; i++ {
		writeWAV(t, filepath.Join(noisy, fmt.Sprintf("n%02d.wav", i)), pcm16, voiced(1600, 16000, int64(i)))
	}
	writeWAV(t, filepath.Join(other, "unrelated.wav"), pcm16, voiced(1600, 16000, 1))
	for _, clean := range []string{filepath.Join(other, "missing"), other} {
		res := ghostrnn(t, nil, "compare", noisy, "--clean", clean)
		msg := strings.TrimSpace(res.stderr)
		if res.code == 0 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, clean) {
			t.Errorf("--clean %s: exit %d, %q; want non-zero and one line naming it", clean, res.code, msg)
		}
	}

	one := t.TempDir()
	writeWAV(t, filepath.Join(one, "a.wav"), pcm16, voiced(1600, 16000, 1))
	res := ghostrnn(t, nil, "compare", one, "--json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var out struct {
		Systems []map[string]any
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatal(err)
	}
	for _, s := range out.Systems {
		for _, k := range []string{"stoi", "estoi", "si_sdr"} {
			if v, ok := s[k]; !ok || v != nil {
				t.Errorf("%s: %s = %v, want null", s["system"], k, v)
			}
		}
	}
}
