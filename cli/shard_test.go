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
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var r map[string]any
			if err := json.Unmarshal(line, &r); err != nil {
				t.Fatalf("%s: unreadable report line %q: %v", rel, line, err)
			}
			recs = append(recs, r)
		}
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
