package cli_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio"
)

// TestDenoiseAlignment: outputs keep the input's length, rate and channels,
// and are time-aligned: in bypass, every click of a click train comes out at
// its input position, at every supported rate.
func TestDenoiseAlignment(t *testing.T) {
	for _, tc := range []struct {
		rate, ch int
		enc      audio.Encoding
		bits     int
	}{
		{16000, 1, audio.PCM16, 16},
		{48000, 1, audio.PCM16, 16},
		{44100, 2, audio.PCM24, 24},
		{22050, 1, audio.Float32, 32},
		{8000, 3, audio.PCM16, 16},
		{96000, 1, audio.PCM16, 16},
	} {
		t.Run(filepath.Base(strings.ReplaceAll(audio.Format{SampleRate: tc.rate, Channels: tc.ch, Encoding: tc.enc}.String(), " ", "")), func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.wav")
			frames := tc.rate*2 + 17
			period := tc.rate / 5
			x := clickTrain(frames, tc.ch, tc.rate/10, period)
			writeWAV(t, in, audio.Format{SampleRate: tc.rate, Channels: tc.ch, Encoding: tc.enc, Bits: tc.bits}, x)
			res := ghostrnn(t, nil, "denoise", "-q", "--atten-lim-db", "0", in, "-o", out)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			f, y := readAll(t, out)
			if f.SampleRate != tc.rate || f.Channels != tc.ch || f.Encoding != tc.enc {
				t.Fatalf("output format %v, want %d Hz %d ch %v", f, tc.rate, tc.ch, tc.enc)
			}
			if len(y) != len(x) {
				t.Fatalf("output has %d frames, input %d", len(y)/tc.ch, len(x)/tc.ch)
			}
			for n := tc.rate / 10; n+period/2 < frames; n += period {
				for c := 0; c < tc.ch; c++ {
					if p := peakIndex(y, tc.ch, c, n-period/2, n+period/2); p != n {
						t.Fatalf("channel %d: click at %d came out at %d", c, n, p)
					}
				}
			}
			if tc.rate == 16000 { // no resampling: bypass is exact up to the sample format
				worst := 0.0
				for i := range x {
					worst = math.Max(worst, math.Abs(float64(x[i]-y[i])))
				}
				if worst > 1e-4 {
					t.Errorf("bypass at the model rate differs from the input by %g", worst)
				}
			}
		})
	}
}

// TestDenoiseImpulseWithModel: with the model on, an impulse on a noise
// floor still comes out at its own position.
func TestDenoiseExample(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "clean.wav")
	res := ghostrnn(t, nil, "denoise", "../testdata/example/noisy.wav", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "denoised 1 of 1 file:") || !strings.Contains(res.stderr, "real-time factor") {
		t.Errorf("summary line missing: %q", res.stderr)
	}
	fi, x := readAll(t, "../testdata/example/noisy.wav")
	fo, y := readAll(t, out)
	if fi != fo || len(x) != len(y) {
		t.Fatalf("output %v × %d, input %v × %d", fo, len(y), fi, len(x))
	}
	var ex, ey float64
	for i := range x {
		ex += float64(x[i]) * float64(x[i])
		ey += float64(y[i]) * float64(y[i])
	}
	if ey >= ex {
		t.Errorf("output energy %.3g not below the noisy input's %.3g", ey, ex)
	}
}

func TestDenoisePipe(t *testing.T) {
	in, err := os.ReadFile("../testdata/example/noisy.wav")
	if err != nil {
		t.Fatal(err)
	}
	res := ghostrnn(t, bytes.NewReader(in), "denoise", "-", "-o", "-")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	r, err := audio.NewReader(strings.NewReader(res.stdout), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	y := readStream(t, r)
	_, x := readAll(t, "../testdata/example/noisy.wav")
	if len(y) != len(x) {
		t.Fatalf("piped output has %d samples, want %d", len(y), len(x))
	}
	// The same file through the file path gives the same samples.
	dir := t.TempDir()
	out := filepath.Join(dir, "o.wav")
	if res := ghostrnn(t, nil, "denoise", "-q", "../testdata/example/noisy.wav", "-o", out); res.code != 0 {
		t.Fatal(res.stderr)
	}
	_, z := readAll(t, out)
	for i := range z {
		if z[i] != y[i] {
			t.Fatalf("sample %d: pipe %v, file %v", i, y[i], z[i])
		}
	}
}

func TestDenoiseSafety(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.wav")
	writeWAV(t, in, audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16, Bits: 16}, clickTrain(8000, 1, 100, 1000))
	before, _ := os.ReadFile(in)

	if res := ghostrnn(t, nil, "denoise", "-q", in, "-o", in); res.code == 0 || !strings.Contains(res.stderr, "overwrite the input") {
		t.Errorf("writing over the input: exit %d, %q", res.code, res.stderr)
	}
	if res := ghostrnn(t, nil, "denoise", "-q", "--suffix", "", in); res.code == 0 || !strings.Contains(res.stderr, "overwrite the input") {
		t.Errorf("empty suffix over the input: exit %d, %q", res.code, res.stderr)
	}
	after, _ := os.ReadFile(in)
	if !bytes.Equal(before, after) {
		t.Fatal("the input was modified")
	}
	if res := ghostrnn(t, nil, "denoise", "-q", in); res.code != 0 {
		t.Fatal(res.stderr)
	}
	out := filepath.Join(dir, "a_denoised.wav")
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("default output: %v", err)
	}
	if res := ghostrnn(t, nil, "denoise", "-q", in); res.code != 0 || !strings.Contains(res.stderr, "already done") {
		t.Errorf("existing output without --force: exit %d, %q; want 0 and already done", res.code, res.stderr)
	}
	if res := ghostrnn(t, nil, "denoise", "-q", in, "-o", out); res.code == 0 || !strings.Contains(res.stderr, "exists") {
		t.Errorf("-o naming an existing file without --force: exit %d, %q", res.code, res.stderr)
	}
	if res := ghostrnn(t, nil, "denoise", "-q", "--skip-existing", in, "-o", out); res.code != 0 || res.stderr != "" {
		t.Errorf("--skip-existing: exit %d, %q; want 0 and no line", res.code, res.stderr)
	}
	if res := ghostrnn(t, nil, "denoise", "-q", "--force", in); res.code != 0 {
		t.Errorf("--force: exit %d, %q", res.code, res.stderr)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

// TestDenoiseTree: a directory is walked, its tree mirrored under --out-dir,
// and a bad file in the batch fails alone with a non-zero exit.
func TestDenoiseTree(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(src, "sub"), 0o755)
	f := audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16, Bits: 16}
	writeWAV(t, filepath.Join(src, "a.wav"), f, clickTrain(4000, 1, 10, 500))
	writeWAV(t, filepath.Join(src, "sub", "b.wav"), f, clickTrain(4000, 1, 10, 500))
	os.WriteFile(filepath.Join(src, "sub", "c.wav"), []byte("not audio at all"), 0o644)
	os.WriteFile(filepath.Join(src, "notes.txt"), []byte("ignored"), 0o644)
	res := ghostrnn(t, nil, "denoise", "-q", "--jobs", "2", "--out-dir", dst, src)
	if res.code == 0 {
		t.Errorf("a failed file must make the exit status non-zero")
	}
	for _, p := range []string{"a_denoised.wav", "sub/b_denoised.wav"} {
		if _, err := os.Stat(filepath.Join(dst, p)); err != nil {
			t.Errorf("missing output %s: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, "sub", "c_denoised.wav")); err == nil {
		t.Error("output written for a bad input")
	}
	if lines := strings.Count(strings.TrimSpace(res.stderr), "\n") + 1; lines != 1 || !strings.Contains(res.stderr, "c.wav") {
		t.Errorf("want one error line naming c.wav, got %q", res.stderr)
	}
}
