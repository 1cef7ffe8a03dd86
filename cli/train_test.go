package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/metrics"
	"github.com/ghostrnn/ghostrnn/models"
	"github.com/ghostrnn/ghostrnn/train"
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
		{"unknown ablation", []string{"--ablate", "nope"}, `unknown ablation "nope"`, false},
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

// trainCorpus writes a small generated corpus under dir: speakers folders
// of speech-like tones (one per speaker, two 3 s files each) and noises
// files of 2 s of coloured noise; it returns the speech and noise folders.
func trainCorpus(t *testing.T, dir string, speakers, noises int) (speech, noise string) {
	t.Helper()
	speech, noise = filepath.Join(dir, "speech"), filepath.Join(dir, "noise")
	for s := 0; s < speakers; s++ {
		for f := 0; f < 2; f++ {
			x := evalTone(3, 16000, 100+37*float64(s)+11*float64(f))
			evalWriteWAV(t, filepath.Join(speech, fmt.Sprintf("spk%d", s), fmt.Sprintf("%d.wav", f)), 16000, x)
		}
	}
	for n := 0; n < noises; n++ {
		x := make([]float64, 2*16000)
		var y float64
		state := uint32(n + 1)
		for i := range x {
			state = state*1664525 + 1013904223
			y = 0.3*float64(n)*y + (float64(state)/(1<<32) - 0.5)
			x[i] = 0.1 * y
		}
		evalWriteWAV(t, filepath.Join(noise, fmt.Sprintf("n%d.wav", n)), 16000, x)
	}
	return speech, noise
}

// oneLine checks that a run failed with exactly one line on stderr that
// contains every one of wants.
func oneLine(t *testing.T, res result, wants ...string) {
	t.Helper()
	if res.code == 0 {
		t.Fatalf("exit 0, want an error; stderr %q", res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if len(lines) != 1 {
		t.Errorf("stderr has %d lines, want one:\n%s", len(lines), res.stderr)
	}
	for _, w := range wants {
		if !strings.Contains(res.stderr, w) {
			t.Errorf("stderr %q does not contain %q", res.stderr, w)
		}
	}
}

// TestTrainValidationMatchesEval: training validation and ghostrnn eval
// --max-delay 0 share one definition of each score: the pair validation
// scores (the clean speech against the noisy input, and against the
// latency-aligned engine output) gets exactly the same SI-SDR and STOI from
// eval.
func TestTrainValidationMatchesEval(t *testing.T) {
	_, clean := readAll(t, "../testdata/example/clean.wav")
	_, noisy := readAll(t, "../testdata/example/noisy.wav")
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	r, err := train.Validate(m, []train.ValItem{{Cond: "snr=5", SNR: 5, Noisy: noisy, Clean: clean}})
	if err != nil {
		t.Fatal(err)
	}
	cs := r.Conds[0]
	y, err := train.Enhance(m, noisy)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f32 := audio.Format{SampleRate: train.SampleRate, Channels: 1, Encoding: audio.Float32, Bits: 32}
	for name, x := range map[string][]float32{"clean": clean, "noisy": noisy, "out": y} {
		writeWAV(t, filepath.Join(dir, name+".wav"), f32, x)
	}
	for _, tc := range []struct {
		deg         string
		sisdr, stoi float64
	}{{"noisy", cs.SISDRIn, cs.STOIIn}, {"out", cs.SISDROut, cs.STOIOut}} {
		stdout, stderr, err := evalRun("--ref", filepath.Join(dir, "clean.wav"), "--deg", filepath.Join(dir, tc.deg+".wav"), "--max-delay", "0", "--json")
		if err != nil {
			t.Fatalf("eval: %v\n%s", err, stderr)
		}
		var got struct {
			Mean metrics.Scores `json:"mean"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		if got.Mean.SISDR != tc.sisdr || got.Mean.STOI != tc.stoi {
			t.Errorf("%s: eval SI-SDR %v dB, STOI %v; validation %v dB, %v", tc.deg, got.Mean.SISDR, got.Mean.STOI, tc.sisdr, tc.stoi)
		}
	}
	if cs.SISDROut < cs.SISDRIn+5 {
		t.Errorf("validation SI-SDR %.2f → %.2f dB: the output is not the enhanced signal", cs.SISDRIn, cs.SISDROut)
	}
}

// TestTrainExportWithoutCorpus: --export reads only the checkpoint; with no
// corpus anywhere it writes the best weights as a model file and the curves,
// and with --keep last the last weights (here all zero, at step 7), whichever
// the run itself kept.
func TestTrainExportWithoutCorpus(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	net, err := train.NewNet[float32](m.Arch)
	if err != nil {
		t.Fatal(err)
	}
	if err := net.SetModel(m); err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := train.DefaultConfig(m.Arch)
	cfg.KeepLast = true // the run kept its last weights; --export still writes what --keep says (best)
	ck := &train.Checkpoint{Version: 1, Config: cfg, Step: 7, BestStep: 5, BestP: net.P, P: make([]float32, len(net.P)),
		History: []train.Record{{Kind: "train", Step: 5, Loss: 1}}}
	if err := train.SaveCheckpoint(filepath.Join(runDir, "checkpoint.gob"), ck); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "best.safetensors")
	res := ghostrnn(t, nil, "train", "--export", "--run-dir", runDir, "--out", out, "--data", filepath.Join(t.TempDir(), "none"))
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	got, err := models.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range m.Weights {
		if !slices.Equal(got.Weights[name], w) {
			t.Errorf("tensor %s differs from the checkpoint's best weights", name)
		}
	}
	if _, err := os.Stat(filepath.Join(runDir, "curves.png")); err != nil {
		t.Errorf("curves not redrawn: %v", err)
	}
	if got.Meta["best_step"] != "5" {
		t.Errorf("best_step %q, want 5", got.Meta["best_step"])
	}
	last := filepath.Join(t.TempDir(), "last.safetensors")
	if res := ghostrnn(t, nil, "train", "--export", "--keep", "last", "--run-dir", runDir, "--out", last); res.code != 0 {
		t.Fatalf("--keep last: exit %d: %s", res.code, res.stderr)
	}
	if got, err = models.Load(last); err != nil {
		t.Fatal(err)
	}
	for name, w := range got.Weights {
		if slices.ContainsFunc(w, func(v float32) bool { return v != 0 }) {
			t.Errorf("--keep last: tensor %s is not the checkpoint's last (zero) weights", name)
		}
	}
	if got.Meta["best_step"] != "7" {
		t.Errorf("--keep last: best_step %q, want 7", got.Meta["best_step"])
	}
	oneLine(t, ghostrnn(t, nil, "train", "--export", "--out", out), "--export needs --run-dir")
	oneLine(t, ghostrnn(t, nil, "train", "--export", "--keep", "first", "--run-dir", runDir), "unknown --keep")
}

// TestTrainCorpusErrors: without a corpus, or with one that leaves nothing
// to hold out, train stops with one line that says what to give, and
// creates no run folder.
func TestTrainCorpusErrors(t *testing.T) {
	dir := t.TempDir()
	oneSpk, noise := trainCorpus(t, filepath.Join(dir, "one"), 1, 2)
	speech, oneNoise := trainCorpus(t, filepath.Join(dir, "two"), 2, 1)
	for _, tc := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"no corpus", []string{"--data", filepath.Join(dir, "none")}, []string{"no corpus at", "--data DIR", "--speech DIR and --noise DIR"}},
		{"speech without noise", []string{"--speech", speech}, []string{"give both --speech and --noise"}},
		{"one speaker", []string{"--speech", oneSpk, "--noise", noise}, []string{"one speaker", "--allow-val-overlap"}},
		{"one noise", []string{"--speech", speech, "--noise", oneNoise}, []string{"one recording", "--allow-val-overlap"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := filepath.Join(t.TempDir(), "run")
			oneLine(t, ghostrnn(t, nil, append([]string{"train", "--steps", "1", "--run-dir", runs}, tc.args...)...), tc.wants...)
			if _, err := os.Stat(runs); err == nil {
				t.Errorf("run directory %s created", runs)
			}
		})
	}
	// With the overlap allowed, the one speaker serves training and validation, with a warning.
	val := filepath.Join(t.TempDir(), "val")
	res := ghostrnn(t, nil, "train", "--speech", oneSpk, "--noise", noise, "--allow-val-overlap", "--write-val", val)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "validation scores training speech") {
		t.Errorf("no warning about the overlap: %s", res.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(val, "noisy", "*.wav")); len(files) != 6*12 {
		t.Errorf("%d validation mixtures written, want %d", len(files), 6*12)
	}
}

// TestTrainHelpDefaults: every flag's help states its default at most once.
func TestTrainHelpDefaults(t *testing.T) {
	res := ghostrnn(t, nil, "train", "--help")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, l := range strings.Split(res.stdout, "\n") {
		if strings.Count(l, "(default:") > 1 {
			t.Errorf("default given twice: %s", strings.TrimSpace(l))
		}
	}
	if !strings.Contains(res.stdout, "(default: uniform)") {
		t.Errorf("--snr-mode's default is not shown:\n%s", res.stdout)
	}
}

// TestTrainMeasure runs a measurement from the command line on a generated
// corpus and checks its table: a header, a separator and one row per
// condition, the mean and the score.
func TestTrainMeasure(t *testing.T) {
	speech, noise := trainCorpus(t, t.TempDir(), 2, 2)
	model := filepath.Join("..", "models", "ghostrnn.safetensors")
	res := ghostrnn(t, nil, "train", "measure", "validation", "--model", model, "--speech", speech, "--noise", noise, "--clips", "2")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if len(lines) != 2+8+2 || !strings.Contains(lines[0], model+": SI-SDR in → out") || !strings.HasPrefix(lines[2], "| -5 dB SNR |") {
		t.Errorf("want the validation table with 12 lines:\n%s", res.stdout)
	}
	oneLine(t, ghostrnn(t, nil, "train", "measure", "validation", "--model", "nope.safetensors", "--speech", speech, "--noise", noise), "nope.safetensors")
	oneLine(t, ghostrnn(t, nil, "train", "measure", "nope"), `unknown measurement "nope"`, "validation, targets")
	// The shipped model's own split names speakers this corpus does not have.
	oneLine(t, ghostrnn(t, nil, "train", "measure", "validation", "--model", model, "--split-of", model, "--speech", speech, "--noise", noise),
		`held-out speaker "librispeech-`, "not in the corpus")
}

// TestTrainFailedRunLeavesNoFolder: a run that fails after it made its run
// folder (here: the CPU profile cannot be created) removes the folder.
func TestTrainFailedRunLeavesNoFolder(t *testing.T) {
	dir := t.TempDir()
	speech, noise := trainCorpus(t, dir, 2, 2)
	runs := filepath.Join(dir, "run")
	res := ghostrnn(t, nil, "train", "--steps", "1", "--speech", speech, "--noise", noise, "--run-dir", runs, "--cpuprofile", filepath.Join(dir, "missing", "cpu.prof"))
	if res.code == 0 || !strings.Contains(res.stderr, "--cpuprofile") {
		t.Fatalf("exit %d, stderr %q; want a --cpuprofile error", res.code, res.stderr)
	}
	if _, err := os.Stat(runs); err == nil {
		t.Errorf("the failed run left %s", runs)
	}
}
