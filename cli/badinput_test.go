package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDenoiseBadInput: each bad input gives one line naming the file and the
// reason, a non-zero exit, and no output file. Truncated inputs are bad only
// with --strict (TestDenoiseSalvage has them without).
func TestDenoiseBadInput(t *testing.T) {
	bad := func(name string) string { return filepath.Join("..", "testdata", "bad", name) }
	empty := t.TempDir()
	cases := []struct {
		name, in, reason string
		strict           bool
	}{
		{"empty file", bad("empty.wav"), "empty", false},
		{"truncated header", bad("short_header.wav"), "truncated", false},
		{"truncated data", bad("truncated_data.wav"), "truncated", true},
		{"truncated flac", bad("truncated.flac"), "truncated", true},
		{"wrong magic", bad("wrong_magic.wav"), "unrecognised audio format", false},
		{"text file", bad("text.wav"), "unrecognised audio format", false},
		{"zero channels", bad("zero_channels.wav"), "zero channels", false},
		{"zero rate", bad("zero_rate.wav"), "zero sample rate", false},
		{"absurd channels", bad("absurd_channels.wav"), "absurd", false},
		{"absurd data size", bad("huge_data.wav"), "truncated", true},
		{"absurd fmt size", bad("huge_fmt.wav"), "fmt", false},
		{"mu-law", bad("mulaw.wav"), "µ-law", false},
		{"a-law", bad("alaw.wav"), "A-law", false},
		{"ADPCM", bad("ms_adpcm.wav"), "ADPCM", false},
		{"garbage mp3", bad("garbage.mp3"), "", false},
		{"directory with no audio", empty, "no audio", false},
		{"non-existent path", filepath.Join(empty, "nope.wav"), "no such file", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.wav")
			args := []string{"denoise", "-q", tc.in, "-o", out}
			if tc.strict {
				args = append(args, "--strict")
			}
			res := ghostrnn(t, nil, args...)
			if res.code == 0 {
				t.Fatalf("exit 0 for a bad input; stderr %q", res.stderr)
			}
			msg := strings.TrimSpace(res.stderr)
			if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, tc.in) || !strings.Contains(strings.ToLower(msg), strings.ToLower(tc.reason)) {
				t.Errorf("want one line naming %s and %q, got %q", tc.in, tc.reason, msg)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("an output file was written")
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*tmp*")); len(left) > 0 {
				t.Errorf("temp files left: %v", left)
			}
		})
	}
}

// TestDenoiseNaN: NaN/Inf float samples are treated as silence with a warning.
func TestDenoiseNaN(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.wav")
	res := ghostrnn(t, nil, "denoise", "-q", "../testdata/bad/nan.wav", "-o", out)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "nan.wav") || !strings.Contains(res.stderr, "warning") || !strings.Contains(res.stderr, "silence") {
		t.Errorf("want a warning naming the file, got %q", res.stderr)
	}
	_, y := readAll(t, out)
	for i, v := range y {
		if v != v {
			t.Fatalf("NaN in output at %d", i)
		}
	}
}

// TestDenoiseUnwritable: an output folder that cannot be written is an error.
func TestDenoiseUnwritable(t *testing.T) {
	if os.Geteuid() == 0 {
		// root ignores permission bits; use a path under a regular file instead.
		dir := t.TempDir()
		file := filepath.Join(dir, "file")
		os.WriteFile(file, nil, 0o644)
		res := ghostrnn(t, nil, "denoise", "-q", "../testdata/example/noisy.wav", "--out-dir", filepath.Join(file, "sub"))
		if res.code == 0 || !strings.Contains(res.stderr, "noisy.wav") || !strings.Contains(res.stderr, "cannot write output") {
			t.Errorf("exit %d, %q", res.code, res.stderr)
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	res := ghostrnn(t, nil, "denoise", "-q", "../testdata/example/noisy.wav", "--out-dir", dir)
	if res.code == 0 || !strings.Contains(res.stderr, "cannot write output") {
		t.Errorf("exit %d, %q", res.code, res.stderr)
	}
}
