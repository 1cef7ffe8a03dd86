package cli

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// treePaths returns n relative paths shaped like an archive: numbered
// files in numbered folders, a few nested deeper and a few non-ASCII.
func treePaths(n int) []string {
	var ps []string
	for i := range n {
		switch i % 7 {
		case 0:
			ps = append(ps, fmt.Sprintf("show%02d/ep%04d.wav", i%13, i))
		case 1:
			ps = append(ps, fmt.Sprintf("calls/2026/%02d/%05d.flac", i%12+1, i))
		case 2:
			ps = append(ps, fmt.Sprintf("émission %d.mp3", i))
		default:
			ps = append(ps, fmt.Sprintf("take%d.wav", i))
		}
	}
	return ps
}

// TestShardPartition: for every N, each input is in exactly one of the N
// shards, so the shards together are exactly the input set, and what a
// shard holds does not depend on the order or company of the inputs.
func TestShardPartition(t *testing.T) {
	paths := treePaths(3000)
	ins := make([]input, len(paths))
	for i, p := range paths {
		ins[i] = input{path: "/data/in/" + p, rel: p}
	}
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{1, 2, 3, 4, 7, 16, 50, 101} {
		owner := map[string]int{}
		shuffled := append([]input(nil), ins...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		sizes := make([]int, n)
		for i := range n {
			s := Shard{Index: i, Count: n}
			a, b := s.pick(ins), s.pick(shuffled)
			if len(a) != len(b) {
				t.Fatalf("N=%d shard %d: %d inputs in one order, %d in another", n, i, len(a), len(b))
			}
			for _, in := range a {
				if prev, dup := owner[in.rel]; dup {
					t.Fatalf("N=%d: %s is in shards %d and %d", n, in.rel, prev, i)
				}
				owner[in.rel] = i
				// Alone, the input lands in the same shard.
				if got := s.pick([]input{in}); len(got) != 1 {
					t.Fatalf("N=%d: %s in shard %d among others, not alone", n, in.rel, i)
				}
			}
			sizes[i] = len(a)
		}
		if len(owner) != len(ins) {
			t.Fatalf("N=%d: the shards hold %d of %d inputs", n, len(owner), len(ins))
		}
		// Balance: XXH64 spreads even similar names; allow 5 standard
		// deviations of a binomial draw (deterministic: no randomness).
		mean := float64(len(ins)) / float64(n)
		sd := math.Sqrt(mean * (1 - 1/float64(n)))
		for i, sz := range sizes {
			if d := float64(sz) - mean; d > 5*sd || d < -5*sd {
				t.Errorf("N=%d: shard %d holds %d inputs, mean %.1f ± %.1f", n, i, sz, mean, sd)
			}
		}
	}
}

// TestShardKeyStable pins the assignment: a change of hash or key would
// move inputs between the shards of a Job that is being resumed.
func TestShardKeyStable(t *testing.T) {
	// XXH64 reference vectors (seed 0) from the xxHash specification.
	if got := shardKey("a"); got != 0xd24ec4f1a98c6e5b {
		t.Errorf("shardKey(a) = %#x, want XXH64(a) = 0xd24ec4f1a98c6e5b", got)
	}
	// The key is the cleaned, slash-separated relative path.
	if shardKey("./sub//a.wav") != shardKey("sub/a.wav") {
		t.Error("equivalent relative paths have different keys")
	}
	if shardKey("sub/a.wav") == shardKey("sub/b.wav") {
		t.Error("different paths share a key")
	}
}

func TestParseShard(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == shardIndexEnv {
				return v
			}
			return ""
		}
	}
	for _, tc := range []struct {
		spec, env string
		want      Shard
		err       string
	}{
		{"", "", Shard{}, ""},
		{"0/1", "", Shard{0, 1}, ""},
		{"3/4", "", Shard{3, 4}, ""},
		{"auto/4", "2", Shard{2, 4}, ""},
		{"auto/4", " 0 ", Shard{0, 4}, ""},
		{"4/4", "", Shard{}, "index I must be a whole number 0…3"},
		{"-1/4", "", Shard{}, "index I"},
		{"x/4", "", Shard{}, "index I"},
		{"1/0", "", Shard{}, "N must be a whole number ≥ 1"},
		{"1/-2", "", Shard{}, "N must be"},
		{"1", "", Shard{}, "want I/N"},
		{"auto/4", "", Shard{}, "JOB_COMPLETION_INDEX is not set"},
		{"auto/4", "two", Shard{}, `JOB_COMPLETION_INDEX="two" is not a whole number`},
		{"auto/4", "4", Shard{}, "JOB_COMPLETION_INDEX=4 is outside 0…3"},
		{"auto/4", "-1", Shard{}, "outside 0…3"},
	} {
		got, err := ParseShard(tc.spec, env(tc.env))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q, env %q): error %v, want one with %q", tc.spec, tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q, env %q) = %v, %v; want %v", tc.spec, tc.env, got, err, tc.want)
		}
	}
}
