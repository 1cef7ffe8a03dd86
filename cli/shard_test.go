package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/ghostrnn/ghostrnn/audio"
)

// shardTree writes a tree of short noisy-tone files (0.5–1 s; 16 and
// 48 kHz, mono and stereo, 16 and 24 bit, WAV and FLAC) plus one broken
// file and, when long > 0, that many 48 kHz stereo files of 20 s under m/.
// It returns the paths relative to root of the audio inputs, broken included.
func shardTree(t *testing.T, root string, short, long int) []string {
	t.Helper()
	rng := rand.New(rand.NewSource(19))
	var rels []string
	put := func(rel string, f audio.Format, frames int) {
		x := make([]float32, frames*f.Channels)
		hz := 100 + 400*rng.Float64()
		for n := range frames {
			s := 0.2*math.Sin(2*math.Pi*hz*float64(n)/float64(f.SampleRate)) + 0.05*rng.NormFloat64()
			for c := range f.Channels {
				x[n*f.Channels+c] = float32(s)
			}
		}
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(rel, ".flac") {
			fh, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			w, err := audio.CreateFLAC(fh, f)
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
		} else {
			writeWAV(t, p, f, x)
		}
		rels = append(rels, rel)
	}
	dirs := []string{"a", "a/deeper", "b", "z"}
	for i := range short {
		f := audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16, Bits: 16}
		ext := ".wav"
		switch i % 6 {
		case 1:
			f = audio.Format{SampleRate: 48000, Channels: 2, Encoding: audio.PCM16, Bits: 16}
		case 3:
			f.Encoding, f.Bits = audio.PCM24, 24
		case 5:
			ext = ".flac"
		}
		put(fmt.Sprintf("%s/take%02d%s", dirs[i%len(dirs)], i, ext), f, f.SampleRate/2+rng.Intn(f.SampleRate/2))
	}
	for i := range long {
		put(fmt.Sprintf("m/episode%d.wav", i), audio.Format{SampleRate: 48000, Channels: 2, Encoding: audio.PCM16, Bits: 16}, 20*48000)
	}
	broken := "b/broken.wav"
	if err := os.WriteFile(filepath.Join(root, broken), []byte("RIFF, but not audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(rels, broken)
}

// shardOf is the documented assignment, computed here independently of the
// package: XXH64 (seed 0) of the slash-separated relative path, mod n.
func shardOf(rel string, n int) int {
	return int(xxhash.Sum64String(filepath.ToSlash(rel)) % uint64(n))
}

// outputOf is where denoise --out-dir puts the output of rel.
func outputOf(rel string) string {
	ext := ".wav"
	if strings.HasSuffix(rel, ".flac") {
		ext = ".flac"
	}
	return strings.TrimSuffix(rel, filepath.Ext(rel)) + "_denoised" + ext
}

// filesUnder lists every file and symlink below dir (not folders), relative.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// indexedEnv is this process's environment with JOB_COMPLETION_INDEX set as
// a Kubernetes Indexed Job sets it in pod i.
func indexedEnv(i int) []string {
	return append(os.Environ(), fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))
}

// shardCmd is the command line of one pod of the Job.
func shardCmd(n int, src, out, reports string, extra ...string) []string {
	args := []string{"denoise", "-q", "--jobs", "1", "--shard", fmt.Sprintf("auto/%d", n), "--out-dir", out, "--report", reports + "/"}
	return append(append(args, extra...), src)
}

// readRecords reads every line of the .jsonl files under dir.
func readRecords(t *testing.T, dir string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, rel := range filesUnder(t, dir) {
		recs = append(recs, readRecordFile(t, filepath.Join(dir, rel))...)
	}
	return recs
}

// readRecordFile reads every line of one report file.
func readRecordFile(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%s: unreadable report line %q: %v", path, line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// mergedReport runs ghostrnn report --json on dir.
func mergedReport(t *testing.T, dir string) map[string]any {
	t.Helper()
	res := ghostrnn(t, nil, "report", "--json", dir)
	if res.code != 0 {
		t.Fatalf("report: exit %d: %s", res.code, res.stderr)
	}
	var tot map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &tot); err != nil {
		t.Fatalf("report --json: %v\n%s", err, res.stdout)
	}
	return tot
}

// sameOutputs checks that out holds exactly the files of ref, byte for byte.
func sameOutputs(t *testing.T, ref, out string) {
	t.Helper()
	want, got := filesUnder(t, ref), filesUnder(t, out)
	if !slices.Equal(want, got) {
		t.Fatalf("output tree differs from the single run's:\n got %v\nwant %v", got, want)
	}
	for _, rel := range want {
		a, _ := os.ReadFile(filepath.Join(ref, rel))
		b, _ := os.ReadFile(filepath.Join(out, rel))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: sharded output differs from the single run's", rel)
		}
	}
}

// TestShardedJob runs the 4 pods of an Indexed Job as 4 local processes of
// the binary over ~50 files: every input is processed by exactly the shard
// XXH64 names, exactly once; the outputs are byte-identical to one
// unsharded run's; the merged report counts every input once.
func TestShardedJob(t *testing.T) {
	const n = 4
	root := t.TempDir()
	src, ref, out, reports := filepath.Join(root, "in"), filepath.Join(root, "ref"), filepath.Join(root, "out"), filepath.Join(root, "reports")
	rels := shardTree(t, src, 50, 0)

	if res := ghostrnn(t, nil, "denoise", "-q", "--out-dir", ref, src); res.code != 1 || !strings.Contains(res.stderr, "broken.wav") {
		t.Fatalf("single run: exit %d (want 1 for the broken file): %s", res.code, res.stderr)
	}
	var cmds []*exec.Cmd
	var stderrs []*bytes.Buffer
	for i := range n {
		cmd := exec.Command(bin, shardCmd(n, src, out, reports)...)
		cmd.Env = indexedEnv(i)
		var eb bytes.Buffer
		cmd.Stderr = &eb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, stderrs = append(cmds, cmd), append(stderrs, &eb)
	}
	brokenShard := shardOf("b/broken.wav", n)
	for i, cmd := range cmds {
		err := cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		if want := map[bool]int{true: 1, false: 0}[i == brokenShard]; code != want {
			t.Errorf("shard %d: exit %d, want %d (%v): %s", i, code, want, err, stderrs[i])
		}
	}
	sameOutputs(t, ref, out)

	// Each input has one record, from its own shard, in that shard's file.
	recs := readRecords(t, reports)
	if len(recs) != len(rels) {
		t.Errorf("%d report lines for %d inputs", len(recs), len(rels))
	}
	seen := map[string]bool{}
	for _, r := range recs {
		rel, _ := filepath.Rel(src, r["input"].(string))
		if seen[rel] {
			t.Errorf("%s processed twice", rel)
		}
		seen[rel] = true
		if want := fmt.Sprintf("%d/%d", shardOf(rel, n), n); r["shard"] != want {
			t.Errorf("%s processed by shard %v, want %s", rel, r["shard"], want)
		}
		want := "ok"
		if rel == "b/broken.wav" {
			want = "failed"
		}
		if r["status"] != want {
			t.Errorf("%s: status %v, want %s (%v)", rel, r["status"], want, r["error"])
		}
	}
	if files := filesUnder(t, reports); len(files) != n || files[0] != "shard-0-of-4.jsonl" {
		t.Errorf("report files %v, want shard-I-of-4.jsonl for each I", files)
	}
	tot := mergedReport(t, reports)
	if tot["inputs"] != float64(len(rels)) || tot["ok"] != float64(len(rels)-1) || tot["failed"] != float64(1) || tot["skipped"] != float64(0) {
		t.Errorf("merged report: %v", tot)
	}
}

// TestShardKillResume: one pod of the Job is SIGKILLed mid-run and
// restarted with --skip-existing while the others run normally. Its restart
// redoes only the unfinished inputs; no partial or temp file is ever left;
// the outputs equal one unsharded run's; the merged report counts every
// input once.
func TestShardKillResume(t *testing.T) {
	const n = 4
	root := t.TempDir()
	src, ref, out, reports := filepath.Join(root, "in"), filepath.Join(root, "ref"), filepath.Join(root, "out"), filepath.Join(root, "reports")
	rels := shardTree(t, src, 48, 1)
	// The killed pod is the one with the long file; it must have short
	// files before it (sorted order, --jobs 1) to write a first line.
	k := shardOf("m/episode0.wav", n)
	var before, mine []string
	for _, rel := range rels {
		if shardOf(rel, n) == k {
			mine = append(mine, rel)
			if rel < "m/" && rel != "b/broken.wav" {
				before = append(before, rel)
			}
		}
	}
	if len(before) == 0 {
		t.Fatalf("shard %d has no short file before m/episode0.wav; change the tree", k)
	}
	if res := ghostrnn(t, nil, "denoise", "-q", "--out-dir", ref, src); res.code != 1 {
		t.Fatalf("single run: exit %d: %s", res.code, res.stderr)
	}

	// The other pods run to the end.
	for i := range n {
		if i == k {
			continue
		}
		res := runBin(t, indexedEnv(i), nil, 5*time.Minute, shardCmd(n, src, out, reports, "--skip-existing")...)
		if res.code > 1 {
			t.Fatalf("shard %d: exit %d: %s", i, res.code, res.stderr)
		}
	}
	// Pod k: killed once its report has 3 lines, i.e. mid-run, with its
	// long file and some short ones still to do.
	report := filepath.Join(reports, fmt.Sprintf("shard-%d-of-%d.jsonl", k, n))
	killed := false
	for attempt := 0; attempt < 3 && !killed; attempt++ {
		cmd := exec.Command(bin, shardCmd(n, src, out, reports, "--skip-existing")...)
		cmd.Env = indexedEnv(k)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
	wait:
		for {
			if b, _ := os.ReadFile(report); bytes.Count(b, []byte("\n")) >= min(3, len(before)) {
				cmd.Process.Kill() // SIGKILL
			}
			select {
			case <-exited: // killed, or finished before the kill landed
				killed = !cmd.ProcessState.Exited()
				break wait
			case <-time.After(time.Millisecond):
			}
		}
		if !killed { // it finished first: start over from nothing
			for _, rel := range mine {
				os.Remove(filepath.Join(out, outputOf(rel)))
			}
			os.Remove(report)
		}
	}
	if !killed {
		t.Fatal("the pod finished before the kill three times; the kill never landed mid-run")
	}
	// After the kill: no temp files, and every output present is whole.
	left := map[string]bool{}
	for _, rel := range filesUnder(t, out) {
		a, err := os.ReadFile(filepath.Join(ref, rel))
		if err != nil {
			t.Fatalf("after the kill: %s is not an output of the single run (temp or partial file)", rel)
		}
		b, _ := os.ReadFile(filepath.Join(out, rel))
		if !bytes.Equal(a, b) {
			t.Fatalf("after the kill: %s is partial or differs", rel)
		}
		left[rel] = true
	}
	var unfinished []string
	for _, rel := range mine {
		if rel != "b/broken.wav" && !left[outputOf(rel)] {
			unfinished = append(unfinished, rel)
		}
	}
	if len(unfinished) == 0 {
		t.Fatal("the kill left nothing unfinished")
	}
	sort.Strings(unfinished)
	t.Logf("shard %d of %d killed with %d of its %d inputs unfinished: %v", k, n, len(unfinished), len(mine), unfinished)
	linesBefore := len(readRecordFile(t, report))

	// The restarted pod finishes the job.
	res := runBin(t, indexedEnv(k), nil, 5*time.Minute, shardCmd(n, src, out, reports, "--skip-existing")...)
	if res.code > 1 {
		t.Fatalf("restarted shard %d: exit %d: %s", k, res.code, res.stderr)
	}
	sameOutputs(t, ref, out)

	// The restart cleaned exactly the unfinished inputs (and retried the
	// broken one) and skipped the rest of its shard.
	recs := readRecords(t, reports)
	restart := readRecordFile(t, report)[linesBefore:]
	var redone []string
	oks := map[string]int{}
	for _, r := range recs {
		rel, _ := filepath.Rel(src, r["input"].(string))
		if r["status"] == "ok" {
			oks[rel]++
		}
	}
	for _, r := range restart {
		rel, _ := filepath.Rel(src, r["input"].(string))
		if r["status"] == "ok" {
			redone = append(redone, rel)
		}
	}
	sort.Strings(redone)
	if !slices.Equal(redone, unfinished) {
		t.Errorf("the restart cleaned %v, want exactly the unfinished %v", redone, unfinished)
	}
	if len(restart) != len(mine) {
		t.Errorf("the restart wrote %d lines for the %d inputs of its shard", len(restart), len(mine))
	}
	for rel, c := range oks {
		if c > 1 {
			t.Errorf("%s cleaned %d times", rel, c)
		}
	}
	tot := mergedReport(t, reports)
	if tot["inputs"] != float64(len(rels)) || tot["failed"] != float64(1) || tot["ok"].(float64)+tot["skipped"].(float64) != float64(len(rels)-1) {
		t.Errorf("merged report: %v", tot)
	}
}

// TestReportCommandTorn: `ghostrnn report` on a folder whose report ends in
// a torn line (a writer killed mid-line) counts the whole lines, names the
// torn one on stderr and exits 0; an empty folder is an error.
func TestReportCommandTorn(t *testing.T) {
	dir := t.TempDir()
	lines := `{"input":"a.wav","output":"a_d.wav","audio_s":3600,"wall_s":10,"status":"ok","time":"2026-12-02T04:00:10Z"}
{"input":"b.wav","audio_s":0,"wall_s":1,"status":"failed","error":"b.wav: not audio","time":"2026-12-02T04:00:11Z"}
{"input":"c.wav","output":"c_d.w`
	if err := os.WriteFile(filepath.Join(dir, "shard-0-of-2.jsonl"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	res := ghostrnn(t, nil, "report", dir)
	if res.code != 0 || !strings.Contains(res.stderr, "shard-0-of-2.jsonl:3: torn last line") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	for _, want := range []string{"2 (1 ok, 0 skipped as already done, 1 failed)", "1.000 h", "failed:     b.wav: not audio\n"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, res.stdout)
		}
	}
	if res := ghostrnn(t, nil, "report", t.TempDir()); res.code == 0 || !strings.Contains(res.stderr, "no .jsonl report files") {
		t.Errorf("empty folder: exit %d, %q", res.code, res.stderr)
	}
}
