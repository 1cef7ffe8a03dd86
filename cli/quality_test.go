package cli_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/metrics"
)

// TestDefaultModelQuality checks the embedded model on the bundled example
// (espeak-ng speech + synthetic noise at 5 dB): it must clearly raise SI-SDR,
// leave clean speech nearly untouched, and attenuate noise alone.
func TestDefaultModelQuality(t *testing.T) {
	f, clean := readAll(t, "../testdata/example/clean.wav")
	_, noisy := readAll(t, "../testdata/example/noisy.wav")
	noise := make([]float32, len(noisy))
	for i := range noise {
		noise[i] = noisy[i] - clean[i]
	}
	dir := t.TempDir()
	noiseIn := filepath.Join(dir, "noise.wav")
	writeWAV(t, noiseIn, audio.Format{SampleRate: f.SampleRate, Channels: 1, Encoding: audio.Float32, Bits: 32}, noise)

	run := func(in string) []float32 {
		out := filepath.Join(dir, filepath.Base(in)+".out.wav")
		if res := ghostrnn(t, nil, "denoise", "-q", "--bits", "32f", in, "-o", out); res.code != 0 {
			t.Fatalf("%s: exit %d: %s", in, res.code, res.stderr)
		}
		_, y := readAll(t, out)
		return y
	}
	sIn := metrics.SISDR(clean, noisy)
	sOut := metrics.SISDR(clean, run("../testdata/example/noisy.wav"))
	pass := metrics.SISDR(clean, run("../testdata/example/clean.wav"))
	y := run(noiseIn)
	atten := 10 * math.Log10(energy(noise)/energy(y))
	t.Logf("SI-SDR %.2f → %.2f dB; clean pass-through %.2f dB; noise-only attenuation %.1f dB", sIn, sOut, pass, atten)
	if sOut < sIn+5 {
		t.Errorf("SI-SDR rose from %.2f to %.2f dB, want ≥ +5 dB", sIn, sOut)
	}
	if pass < 20 {
		t.Errorf("clean speech came out at %.2f dB SI-SDR, want ≥ 20", pass)
	}
	if atten < 20 {
		t.Errorf("noise alone attenuated by %.1f dB, want ≥ 20", atten)
	}
}

func energy(x []float32) float64 {
	e := 0.0
	for _, v := range x {
		e += float64(v) * float64(v)
	}
	return e
}
