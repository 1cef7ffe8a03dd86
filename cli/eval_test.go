package cli_test

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/cli"
	"github.com/ghostrnn/ghostrnn/metrics"
)

// evalTone is a deterministic speech-like signal at rate fs: a harmonic voice
// with a gliding pitch under a syllabic envelope, sampled analytically so that
// the same signal can be produced at any rate.
func evalTone(seconds float64, fs int, pitch float64) []float64 {
	x := make([]float64, int(seconds*float64(fs)))
	for i := range x {
		t := float64(i) / float64(fs)
		f0 := pitch + 20*t
		ph := 2 * math.Pi * (pitch*t + 10*t*t) // integral of f0
		var v float64
		for h := 1; h <= 15 && float64(h)*f0 < 4000; h++ {
			v += math.Sin(float64(h)*ph) / float64(h)
		}
		x[i] = 0.25 * math.Max(0.05, math.Sin(2*math.Pi*2.7*t)) * v
	}
	return x
}

// evalWriteWAV writes x as a 16-bit mono WAV file.
func evalWriteWAV(t *testing.T, path string, fs int, x []float64) {
	t.Helper()
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(36+2*len(x)))
	b.WriteString("WAVEfmt ")
	binary.Write(&b, le, []uint32{16})
	binary.Write(&b, le, []uint16{1, 1})
	binary.Write(&b, le, []uint32{uint32(fs), uint32(2 * fs)})
	binary.Write(&b, le, []uint16{2, 16})
	b.WriteString("data")
	binary.Write(&b, le, uint32(2*len(x)))
	for _, v := range x {
		binary.Write(&b, le, int16(math.Round(math.Max(-1, math.Min(v, 32767.0/32768))*32768)))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// evalRun runs `ghostrnn eval args...` in-process and returns its output.
func evalRun(args ...string) (stdout, stderr string, err error) {
	return evalRunCmd("eval", args...)
}

// evalRunCmd runs `ghostrnn cmd args...` in-process and returns its output.
func evalRunCmd(cmd string, args ...string) (stdout, stderr string, err error) {
	app := cli.App()
	var out, errb bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errb
	err = app.Run(append([]string{"ghostrnn", cmd}, args...))
	return out.String(), errb.String(), err
}

// evalNoisy returns x scaled by g, delayed by delay samples, with a
// deterministic pseudo-random noise of amplitude a and extra samples at the end.
func evalNoisy(x []float64, g float64, delay, extra int, a float64) []float64 {
	y := make([]float64, len(x)+delay+extra)
	seed := uint32(12345)
	for i := range y {
		seed = seed*1664525 + 1013904223
		y[i] = a * (float64(seed)/float64(1<<32) - 0.5)
		if j := i - delay; j >= 0 && j < len(x) {
			y[i] += g * x[j]
		}
	}
	return y
}

func TestEvalJSONMatchesCompute(t *testing.T) {
	const fs = 16000
	dir := t.TempDir()
	ref, deg := filepath.Join(dir, "clean.wav"), filepath.Join(dir, "noisy.wav")
	x := evalTone(1.5, fs, 140)
	evalWriteWAV(t, ref, fs, x)
	evalWriteWAV(t, deg, fs, evalNoisy(x, 0.8, 160, 400, 0.05))

	stdout, stderr, err := evalRun("--ref", ref, "--deg", deg, "--json")
	if err != nil {
		t.Fatalf("eval failed: %v\nstderr: %s", err, stderr)
	}
	var got struct {
		Files []map[string]any   `json:"files"`
		Mean  map[string]float64 `json:"mean"`
		Count int                `json:"count"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, stdout)
	}
	if len(got.Files) != 1 || got.Count != 1 {
		t.Fatalf("want 1 file, got %d (count %d)\n%s", len(got.Files), got.Count, stdout)
	}

	// The same computation by hand.
	fr, rx := readAll(t, ref)
	rfs := fr.SampleRate
	_, dy := readAll(t, deg)
	ar, ad, lag := metrics.Align(rx, dy, rfs)
	if lag != 160 {
		t.Fatalf("Align found %d, want 160", lag)
	}
	want, err := metrics.Compute(ar, ad, rfs)
	if err != nil {
		t.Fatal(err)
	}
	wantVals := map[string]float64{"stoi": want.STOI, "estoi": want.ESTOI, "si_sdr": want.SISDR,
		"snr": want.SNR, "seg_snr": want.SegSNR, "lsd": want.LSD}
	file := got.Files[0]
	for k, v := range wantVals {
		fv, ok := file[k].(float64)
		if !ok {
			t.Errorf("file row lacks numeric %q: %v", k, file)
		} else if math.Abs(fv-v) > 1e-12 {
			t.Errorf("%s = %v, want %v", k, fv, v)
		}
		if mv, ok := got.Mean[k]; !ok || math.Abs(mv-v) > 1e-12 {
			t.Errorf("mean %s = %v (present %v), want %v", k, mv, ok, v)
		}
	}
	if d, _ := file["delay_samples"].(float64); d != 160 {
		t.Errorf("delay_samples = %v, want 160", file["delay_samples"])
	}
	if note, _ := file["note"].(string); !strings.Contains(note, "aligned deg by +160 samples") {
		t.Errorf("note %q does not report the alignment", note)
	}
}

func TestEvalFoldersCSVAndSkips(t *testing.T) {
	const fs = 16000
	dir := t.TempDir()
	refDir, degDir := filepath.Join(dir, "ref"), filepath.Join(dir, "deg")
	a, b := evalTone(1, fs, 120), evalTone(1, fs, 180)
	evalWriteWAV(t, filepath.Join(refDir, "a.wav"), fs, a)
	evalWriteWAV(t, filepath.Join(degDir, "a.wav"), fs, evalNoisy(a, 1, 0, 0, 0.02))
	evalWriteWAV(t, filepath.Join(refDir, "sub", "b.wav"), fs, b) // paired by base name
	evalWriteWAV(t, filepath.Join(degDir, "b.wav"), fs, evalNoisy(b, 1, 0, 0, 0.02))
	evalWriteWAV(t, filepath.Join(refDir, "silent.wav"), fs, make([]float64, fs))
	evalWriteWAV(t, filepath.Join(degDir, "silent.wav"), fs, a)
	evalWriteWAV(t, filepath.Join(refDir, "onlyref.wav"), fs, a)
	evalWriteWAV(t, filepath.Join(degDir, "onlydeg.wav"), fs, a)
	evalWriteWAV(t, filepath.Join(refDir, "broken.wav"), fs, a)
	if err := os.WriteFile(filepath.Join(degDir, "broken.wav"), []byte("RIFF....WAVEjunk"), 0o644); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, err := evalRun("--ref", refDir, "--deg", degDir, "--csv")
	if err != nil {
		t.Fatalf("eval failed: %v\nstderr: %s", err, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatalf("bad CSV: %v\n%s", err, stdout)
	}
	wantHeader := "file,stoi,estoi,si_sdr,snr,seg_snr,lsd,delay_samples,note"
	if len(recs) == 0 || strings.Join(recs[0], ",") != wantHeader {
		t.Fatalf("header %v, want %s", recs, wantHeader)
	}
	var names []string
	for _, r := range recs[1:] {
		names = append(names, r[0])
	}
	if strings.Join(names, " ") != "a.wav b.wav mean" {
		t.Errorf("rows %v, want a.wav b.wav mean\n%s", names, stdout)
	}
	for _, s := range []string{"onlyref.wav", "onlydeg.wav", "silent.wav", "broken.wav"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr does not report %s:\n%s", s, stderr)
		}
	}
}

func TestEvalResampledTextTable(t *testing.T) {
	dir := t.TempDir()
	ref, deg := filepath.Join(dir, "ref.wav"), filepath.Join(dir, "deg.wav")
	evalWriteWAV(t, ref, 16000, evalTone(1.2, 16000, 150))
	evalWriteWAV(t, deg, 48000, evalTone(1.25, 48000, 150)) // other rate, longer

	stdout, stderr, err := evalRun("--ref", ref, "--deg", deg)
	if err != nil {
		t.Fatalf("eval failed: %v\nstderr: %s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "file") || !strings.HasPrefix(lines[2], "mean") {
		t.Fatalf("unexpected table:\n%s", stdout)
	}
	if !strings.Contains(lines[1], "resampled deg 48000->16000 Hz") || strings.Contains(lines[1], "aligned") {
		t.Errorf("note should report the resampling and no delay:\n%s", stdout)
	}
	f := strings.Fields(lines[1])
	if len(f) < 7 {
		t.Fatalf("short row %q", lines[1])
	}
	if stoi, err := strconv.ParseFloat(f[1], 64); err != nil || stoi < 0.99 {
		t.Errorf("STOI of a resampled copy should be about 1:\n%s", stdout)
	}
}

func TestEvalNothingScored(t *testing.T) {
	const fs = 16000
	dir := t.TempDir()
	ref, deg := filepath.Join(dir, "ref.wav"), filepath.Join(dir, "deg.wav")
	evalWriteWAV(t, ref, fs, make([]float64, fs))
	evalWriteWAV(t, deg, fs, evalTone(1, fs, 150))
	short := filepath.Join(dir, "short.wav")
	evalWriteWAV(t, short, fs, evalTone(0.2, fs, 150))
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"silent reference", []string{"--ref", ref, "--deg", deg}, 1},
		{"missing file", []string{"--ref", filepath.Join(dir, "nope.wav"), "--deg", deg}, 1},
		{"too short", []string{"--ref", short, "--deg", short, "--json"}, 1},
		{"both formats", []string{"--ref", deg, "--deg", deg, "--csv", "--json"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, err := evalRun(tc.args...)
			var ec ucli.ExitCoder
			if err == nil || !errors.As(err, &ec) || ec.ExitCode() != tc.code {
				t.Fatalf("err %v, want exit code %d\nstdout: %s\nstderr: %s", err, tc.code, stdout, stderr)
			}
			if stdout != "" {
				t.Errorf("unexpected output %q", stdout)
			}
		})
	}
}
