package cli_test

import (
	"bytes"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSpectrogramAndPlot(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "s.png")
	res := ghostrnn(t, nil, "spectrogram", "../testdata/example/noisy.wav", "../testdata/example/clean.wav", "--mask", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	checkPNG(t, out, 1000, 3)
	den := filepath.Join(dir, "d.wav")
	if res := ghostrnn(t, nil, "denoise", "-q", "--plot", "../testdata/example/noisy.wav", "-o", den); res.code != 0 {
		t.Fatalf("denoise --plot: exit %d: %s", res.code, res.stderr)
	}
	checkPNG(t, filepath.Join(dir, "d.png"), 1000, 3)
	if res := ghostrnn(t, nil, "spectrogram", filepath.Join(dir, "missing.wav"), "-o", out); res.code == 0 {
		t.Error("a missing input must fail")
	}
}

// checkPNG decodes a PNG and checks its width and that it has room for the panels.
func checkPNG(t *testing.T, path string, width, panels int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != width || b.Dy() < panels*200 {
		t.Errorf("%s is %dx%d, want width %d and ≥ %d rows", path, b.Dx(), b.Dy(), width, panels*200)
	}
}

// TestSpectrogramFormats: the extension of -o picks the picture format
// (.jpg and .jpeg write JPEG data, .png PNG); other extensions are refused
// before any work, with exit 2 and no file.
func TestSpectrogramFormats(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"s.jpg", "s.JPEG", "s.png"} {
		out := filepath.Join(dir, name)
		if res := ghostrnn(t, nil, "spectrogram", "../testdata/example/noisy.wav", "-o", out); res.code != 0 {
			t.Fatalf("%s: exit %d: %s", name, res.code, res.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "png") {
			_, err = png.Decode(bytes.NewReader(b))
		} else {
			_, err = jpeg.Decode(bytes.NewReader(b))
		}
		if err != nil {
			t.Errorf("%s: %v (first bytes % x)", name, err, b[:8])
		}
	}
	for _, name := range []string{"s.gif", "s", "s.wav"} {
		out := filepath.Join(dir, name)
		res := ghostrnn(t, nil, "spectrogram", "../testdata/example/noisy.wav", "-o", out)
		if res.code != 2 || !strings.Contains(res.stderr, "want .png, .jpg or .jpeg") {
			t.Errorf("%s: exit %d, stderr %q; want 2 and the formats", name, res.code, res.stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s was written", name)
		}
	}
}

// TestSpectrogramDamaged: a damaged input is drawn as far as it goes with
// one warning; --strict refuses it.
func TestSpectrogramDamaged(t *testing.T) {
	b, err := os.ReadFile("../testdata/example/noisy.wav")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "cut.wav")
	if err := os.WriteFile(in, b[:len(b)/2+1], 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "s.png")
	res := ghostrnn(t, nil, "spectrogram", in, "-o", out)
	if res.code != 0 || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 || !strings.Contains(res.stderr, in+": warning: damaged input") {
		t.Errorf("exit %d, stderr %q; want 0 and one warning naming the file", res.code, res.stderr)
	}
	checkPNG(t, out, 1000, 1)
	if res := ghostrnn(t, nil, "spectrogram", "--strict", in, "-o", filepath.Join(dir, "t.png")); res.code != 1 || !strings.Contains(res.stderr, "truncated") {
		t.Errorf("--strict: exit %d, stderr %q", res.code, res.stderr)
	}
}
