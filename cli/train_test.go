package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainFlagErrors: a bad --init or SNR range stops train before it
// reads any data or creates a run directory, with one line naming the file
// or flag and the reason.
func TestTrainFlagErrors(t *testing.T) {
	twin := filepath.Join("..", "models", "ghostrnn-gru-twin.safetensors")
	for _, tc := range []struct {
		name     string
		args     []string
		want     string
		twoArchs bool // needs a second --run-dir
	}{
		{"architecture differs", []string{"--init", twin}, "ghostrnn-gru-twin.safetensors: a gru model", false},
		{"missing file", []string{"--init", "nope.safetensors"}, "nope.safetensors", false},
		{"one per arch", []string{"--arch", "ghostgru", "--arch", "gru", "--init", twin}, "one --init per --arch", true},
		{"SNR range", []string{"--snr-min", "10", "--snr-max", "5"}, "--snr-min 10 is above --snr-max 5", false},
		{"SNR mode", []string{"--snr-mode", "30"}, "--snr-mode 30 is outside", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := filepath.Join(t.TempDir(), "run")
			args := append([]string{"train", "--steps", "1", "--data", t.TempDir(), "--run-dir", runs}, tc.args...)
			if tc.twoArchs {
				args = append(args, "--run-dir", runs+"2")
			}
			res := ghostrnn(t, nil, args...)
			if res.code == 0 {
				t.Fatalf("exit 0, want an error")
			}
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Errorf("stderr %q, want one line containing %q", res.stderr, tc.want)
			}
			if _, err := os.Stat(runs); err == nil {
				t.Errorf("run directory %s created", runs)
			}
		})
	}
}
