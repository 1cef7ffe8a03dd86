// Package deploy checks the container build and the Kubernetes manifests
// of docs/scale-out.md: the Dockerfile's build command produces a static
// binary that cleans exactly like the regular build, and the Indexed Job
// decodes strictly into the Kubernetes API types, its fields agree with each
// other, and its command line works with that binary.
package deploy

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/ghostrnn/ghostrnn/audio"
)

const (
	jobFile = "k8s/denoise-indexed-job.yaml"
	pvcFile = "k8s/data-pvc.yaml"
)

// run runs a command in dir and fails the test with its output on error.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// dockerStages returns the Dockerfile's instructions (continuation lines
// joined), one slice per FROM stage.
func dockerStages(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]string
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %q before the first FROM", line)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], line)
	}
	return stages
}

// batchBuild finds the Dockerfile's `RUN make batch BATCH_OUT=path` and the
// path the runtime stage copies from it to its ENTRYPOINT.
func batchBuild(t *testing.T) (makeArgs []string, entry string) {
	t.Helper()
	stages := dockerStages(t)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build and a runtime stage", len(stages))
	}
	var out string
	for _, ins := range stages[0] {
		if f := strings.Fields(ins); len(f) >= 3 && f[0] == "RUN" && f[1] == "make" && f[2] == "batch" {
			makeArgs = f[2:]
			for _, a := range f[3:] {
				if v, ok := strings.CutPrefix(a, "BATCH_OUT="); ok {
					out = v
				}
			}
		}
	}
	if makeArgs == nil || out == "" {
		t.Fatal("Dockerfile: the build stage has no `RUN make batch BATCH_OUT=…`")
	}
	last := stages[len(stages)-1]
	if !strings.HasPrefix(last[0], "FROM scratch") {
		t.Errorf("runtime stage %q: want FROM scratch (a static binary needs nothing else)", last[0])
	}
	var copied string
	for _, ins := range last {
		if f := strings.Fields(ins); len(f) == 4 && f[0] == "COPY" && strings.HasPrefix(f[1], "--from=") && f[2] == out {
			copied = f[3]
		}
		if v, ok := strings.CutPrefix(ins, "ENTRYPOINT "); ok {
			entry = strings.Trim(v, `[]" `)
		}
	}
	if copied == "" || copied != entry {
		t.Fatalf("Dockerfile: the runtime stage copies %s to %q but its ENTRYPOINT is %q", out, copied, entry)
	}
	return makeArgs, entry
}

var (
	batchOnce sync.Once
	batchBin  string
	batchErr  error
	batchDir  string
)

// TestMain removes the batch binary's folder after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if batchDir != "" {
		os.RemoveAll(batchDir)
	}
	os.Exit(code)
}

// batchBinary builds the batch binary once with the Dockerfile's build
// command, `make batch BATCH_OUT=…` run from the repository root.
func batchBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	makeArgs, _ := batchBuild(t)
	batchOnce.Do(func() {
		if batchDir, batchErr = os.MkdirTemp("", "ghostrnn-batch-"); batchErr != nil {
			return
		}
		batchBin = filepath.Join(batchDir, "ghostrnn")
		args := []string{"-s"}
		for _, a := range makeArgs {
			if strings.HasPrefix(a, "BATCH_OUT=") {
				a = "BATCH_OUT=" + batchBin
			}
			args = append(args, a)
		}
		cmd := exec.Command("make", args...)
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			batchErr = fmt.Errorf("make %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if batchErr != nil {
		t.Fatal(batchErr)
	}
	return batchBin
}

// TestBatchBuild runs the Dockerfile's build command (docker itself is not
// available in CI): the binary is statically linked (no interpreter, no
// shared libraries) and cleans the example byte-identically to the regular
// cgo build.
func TestBatchBuild(t *testing.T) {
	static := batchBinary(t)
	dir := t.TempDir()
	f, err := elf.Open(static)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the batch binary has an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the batch binary needs shared libraries %v", libs)
	}

	regular := filepath.Join(dir, "ghostrnn")
	run(t, "..", nil, "go", "build", "-o", regular, ".")
	in := "../testdata/example/noisy.wav"
	a, b := filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav")
	run(t, ".", nil, static, "denoise", "-q", in, "-o", a)
	run(t, ".", nil, regular, "denoise", "-q", in, "-o", b)
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if len(ab) == 0 || !bytes.Equal(ab, bb) {
		t.Errorf("the batch binary's output (%d bytes) differs from the regular build's (%d bytes)", len(ab), len(bb))
	}
}

// readJob decodes the Job strictly: an unknown or misspelt field, a
// duplicate key or a wrong type is an error, as kubectl's strict field
// validation would report it.
func readJob(t *testing.T) *batchv1.Job {
	t.Helper()
	b, err := os.ReadFile(jobFile)
	if err != nil {
		t.Fatal(err)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict(b, &job); err != nil {
		t.Fatalf("%s: %v", jobFile, err)
	}
	return &job
}

// flagValue returns the value after flag in args.
func flagValue(args []string, flag string) (string, bool) {
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		return "", false
	}
	return args[i+1], true
}

// TestJobManifest checks the Indexed Job's structure: the fields an Indexed
// Job with per-index retries needs, and agreement between the shard count,
// completions, the volumes, the mounts, the command line and the resources.
func TestJobManifest(t *testing.T) {
	job := readJob(t)
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || job.Name == "" {
		t.Fatalf("want a named batch/v1 Job, got %s %s %q", job.APIVersion, job.Kind, job.Name)
	}
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Error("completionMode must be Indexed (pods get JOB_COMPLETION_INDEX)")
	}
	if s.Completions == nil || *s.Completions < 1 {
		t.Fatal("completions must be set")
	}
	n := int(*s.Completions)
	if s.Parallelism == nil || *s.Parallelism < 1 || int(*s.Parallelism) > n {
		t.Errorf("parallelism must be 1…completions (%d)", n)
	}
	if s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex < 1 {
		t.Error("backoffLimitPerIndex must be set: a killed pod's shard is retried alone")
	}
	if s.MaxFailedIndexes != nil && int(*s.MaxFailedIndexes) > n {
		t.Errorf("maxFailedIndexes %d > completions %d", *s.MaxFailedIndexes, n)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q: backoffLimitPerIndex and podFailurePolicy need Never", pod.RestartPolicy)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if len(c.Command) != 0 {
		t.Errorf("command %v overrides the image's ENTRYPOINT", c.Command)
	}
	if s.PodFailurePolicy != nil {
		for i, r := range s.PodFailurePolicy.Rules {
			if r.OnExitCodes != nil && r.OnExitCodes.ContainerName != nil && *r.OnExitCodes.ContainerName != c.Name {
				t.Errorf("podFailurePolicy rule %d names container %q, not %q", i, *r.OnExitCodes.ContainerName, c.Name)
			}
		}
	}

	// The command line: denoise, one shard per completion index.
	args := c.Args
	if len(args) == 0 || args[0] != "denoise" {
		t.Fatalf("args %v: want denoise …", args)
	}
	if v, _ := flagValue(args, "--shard"); v != "auto/"+strconv.Itoa(n) {
		t.Errorf("--shard %q, want auto/%d (= completions)", v, n)
	}
	if !slices.Contains(args, "--skip-existing") {
		t.Error("without --skip-existing a retried pod stops at its first finished output")
	}

	// Every mount is a declared volume; the claim is the example PVC's.
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		if _, ok := vols[m.Name]; !ok {
			t.Errorf("mount %s uses undeclared volume %q", m.MountPath, m.Name)
		}
		mounts[m.MountPath] = m
	}
	pb, err := os.ReadFile(pvcFile)
	if err != nil {
		t.Fatal(err)
	}
	var pvc corev1.PersistentVolumeClaim
	if err := yaml.UnmarshalStrict(pb, &pvc); err != nil {
		t.Fatalf("%s: %v", pvcFile, err)
	}
	if pvc.Kind != "PersistentVolumeClaim" || !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("%s: want a ReadWriteMany PersistentVolumeClaim (all pods mount it at once)", pvcFile)
	}
	for name, v := range vols {
		if v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != pvc.Name {
			t.Errorf("volume %s is not the claim %s", name, pvc.Name)
		}
	}
	// The input (last argument) is on a read-only mount; outputs and
	// reports on writable ones.
	mountOf := func(p string) (corev1.VolumeMount, bool) {
		for mp, m := range mounts {
			if p == mp || strings.HasPrefix(p, strings.TrimSuffix(mp, "/")+"/") {
				return m, true
			}
		}
		return corev1.VolumeMount{}, false
	}
	if m, ok := mountOf(args[len(args)-1]); !ok || !m.ReadOnly {
		t.Errorf("input %s: want it on a read-only mount", args[len(args)-1])
	}
	for _, flag := range []string{"--out-dir", "--report"} {
		v, ok := flagValue(args, flag)
		if m, mok := mountOf(v); !ok || !mok || m.ReadOnly {
			t.Errorf("%s %q: want it on a writable mount", flag, v)
		}
	}

	// Resources: requests set, one core per file job, limits ≥ requests.
	req, lim := c.Resources.Requests, c.Resources.Limits
	cpu, mem := req[corev1.ResourceCPU], req[corev1.ResourceMemory]
	if cpu.IsZero() || mem.IsZero() {
		t.Fatal("cpu and memory requests must be set")
	}
	jobs, _ := flagValue(args, "--jobs")
	if j, err := strconv.Atoi(jobs); err != nil || int64(j)*1000 != cpu.MilliValue() {
		t.Errorf("--jobs %q with a cpu request of %s: want one file job per requested core", jobs, cpu.String())
	}
	if l, ok := lim[corev1.ResourceMemory]; ok && l.Cmp(mem) < 0 {
		t.Errorf("memory limit %s below the request %s", l.String(), mem.String())
	}
	// The measured resident size (docs/scale-out.md) fits the request.
	if mem.Value() < 32<<20 {
		t.Errorf("memory request %s is below the ~21 MB measured", mem.String())
	}
}

// TestJobArgsRun runs the Job's command line as each of its N pods would,
// with the batch binary and /data mapped to a temporary folder: the flags
// exist, every pod leaves its report in /data/reports, and together the
// pods clean every input exactly once.
func TestJobArgsRun(t *testing.T) {
	job := readJob(t)
	n := int(*job.Spec.Completions)
	args := job.Spec.Template.Spec.Containers[0].Args
	bin := batchBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	in := filepath.Join(data, "in")
	rng := rand.New(rand.NewSource(64))
	var inputs []string
	for i := range 2 * n {
		p := filepath.Join(in, fmt.Sprintf("take%03d.wav", i))
		if i%3 == 0 {
			p = filepath.Join(in, "sub", fmt.Sprintf("take%03d.wav", i))
		}
		writeNoise(t, p, rng, 1600)
		inputs = append(inputs, p)
	}
	local := make([]string, len(args))
	for i, a := range args {
		local[i] = strings.Replace(a, "/data", data, 1)
	}
	cleaned := map[string]int{}
	for idx := range n {
		run(t, ".", []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", idx)}, bin, local...)
		report := filepath.Join(data, "reports", fmt.Sprintf("shard-%d-of-%d.jsonl", idx, n))
		b, err := os.ReadFile(report)
		if err != nil {
			t.Fatalf("pod %d left no report: %v", idx, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if line == "" {
				continue
			}
			var rec struct{ Input, Status, Shard string }
			if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Status != "ok" || rec.Shard != fmt.Sprintf("%d/%d", idx, n) {
				t.Errorf("pod %d: %s (%v)", idx, line, err)
			}
			cleaned[rec.Input]++
		}
	}
	for _, p := range inputs {
		if cleaned[p] != 1 {
			t.Errorf("%s cleaned %d times by the %d pods", p, cleaned[p], n)
		}
	}
}

// writeNoise writes frames of 16 kHz 16-bit mono white noise to path.
func writeNoise(t *testing.T, path string, rng *rand.Rand, frames int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	x := make([]float32, frames)
	for i := range x {
		x[i] = float32(0.1 * rng.NormFloat64())
	}
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := audio.CreateWAV(fh, audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16, Bits: 16})
	if err == nil {
		err = w.Write(x)
	}
	if err == nil {
		err = w.Close()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}
