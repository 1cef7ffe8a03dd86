package cli

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// shardIndexEnv is the variable a Kubernetes Indexed Job sets in each pod to
// the pod's completion index 0…completions−1.
const shardIndexEnv = "JOB_COMPLETION_INDEX"

// Shard selects the inputs of one of Count workers. The zero shard selects
// every input.
//
// An input belongs to shard Index when XXH64(rel) mod Count = Index (seed 0),
// where rel is its path relative to the argument it came from, with forward
// slashes. The hash depends on nothing but that string, so every machine, in
// any file order, puts an input in the same shard; each input is in exactly
// one of the Count shards.
type Shard struct {
	Index, Count int
}

// ParseShard reads a --shard value: "I/N" with 0 ≤ I < N, or "auto/N", which
// takes I from $JOB_COMPLETION_INDEX via getenv. An empty spec is the zero
// shard (no sharding).
func ParseShard(spec string, getenv func(string) string) (Shard, error) {
	if spec == "" {
		return Shard{}, nil
	}
	is, ns, ok := strings.Cut(spec, "/")
	if !ok {
		return Shard{}, fmt.Errorf("--shard %q: want I/N (e.g. 0/4) or auto/N", spec)
	}
	n, err := strconv.Atoi(strings.TrimSpace(ns))
	if err != nil || n < 1 {
		return Shard{}, fmt.Errorf("--shard %q: the shard count N must be a whole number ≥ 1", spec)
	}
	is = strings.TrimSpace(is)
	if is == "auto" {
		v := strings.TrimSpace(getenv(shardIndexEnv))
		if v == "" {
			return Shard{}, fmt.Errorf("--shard auto/%d: %s is not set (auto takes the index from a Kubernetes Indexed Job; give I/N elsewhere)", n, shardIndexEnv)
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			return Shard{}, fmt.Errorf("--shard auto/%d: %s=%q is not a whole number", n, shardIndexEnv, v)
		}
		if i < 0 || i >= n {
			return Shard{}, fmt.Errorf("--shard auto/%d: %s=%d is outside 0…%d (the Job's completions must equal N)", n, shardIndexEnv, i, n-1)
		}
		return Shard{Index: i, Count: n}, nil
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("--shard %q: the index I must be a whole number 0…%d, or auto", spec, n-1)
	}
	return Shard{Index: i, Count: n}, nil
}

// String is "I/N", or "" for the zero shard.
func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// has reports whether the input at relative path rel belongs to s.
func (s Shard) has(rel string) bool {
	if s.Count <= 1 {
		return true
	}
	return int(shardKey(rel)%uint64(s.Count)) == s.Index
}

// shardKey is XXH64 of rel, cleaned and with forward slashes, so that a
// tree gives the same keys on every operating system. XXH64 mixes every bit
// of the path into the low bits that mod Count keeps (FNV-1a's low k bits
// depend only on the low k bits of each byte).
func shardKey(rel string) uint64 {
	return xxhash.Sum64String(filepath.ToSlash(filepath.Clean(rel)))
}

// pick keeps the inputs of s, in their order.
func (s Shard) pick(ins []input) []input {
	if s.Count <= 1 {
		return ins
	}
	var out []input
	for _, in := range ins {
		if s.has(in.rel) {
			out = append(out, in)
		}
	}
	return out
}
