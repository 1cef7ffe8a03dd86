package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchVs: --vs alternates two models on the same (native) path, rows
// labelled model and vs, and gives the ratio of their real-time factors; a
// missing --vs file is an error.
func TestBenchVs(t *testing.T) {
	out, _, err := benchRun("--runs", "2", "--seconds", "1", "--json", "--vs", "../models/ghostrnn-gru-twin.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Results []struct {
			Path, Model, File string
			RTF               float64 `json:"rtf"`
		} `json:"results"`
		Ratio *float64 `json:"model_over_vs_rtf"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	counts := map[string]int{}
	for _, x := range r.Results {
		if x.File == "overall" {
			counts[x.Path+"/"+x.Model]++
		}
	}
	if counts["native/model"] != 2 || counts["native/vs"] != 2 || len(counts) != 2 {
		t.Errorf("overall rows by path/model: %v, want 2 native/model and 2 native/vs", counts)
	}
	if r.Ratio == nil || !(*r.Ratio > 0) {
		t.Errorf("model_over_vs_rtf missing or not positive: %s", out)
	}
	if _, _, err := benchRun("--runs", "1", "--seconds", "1", "--vs", "/nonexistent.safetensors"); err == nil || !strings.Contains(err.Error(), "--vs") {
		t.Errorf("missing --vs file: err %v, want one naming --vs", err)
	}
}

func benchRun(args ...string) (stdout, stderr string, err error) {
	return evalRunCmd("bench", args...)
}
