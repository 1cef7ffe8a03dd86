package cli_test

import (
	"image/png"
	"os"
	"path/filepath"
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
