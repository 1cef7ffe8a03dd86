package cli_test

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestNoLiveBuild builds the batch-only binary as the README says
// (CGO_ENABLED=0 go build -tags nolive): it must compile, be static on
// Linux, say clearly that live, latency and devices are not in it, and
// denoise exactly as the full build does.
func TestNoLiveBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a second binary")
	}
	exe := filepath.Join(t.TempDir(), "ghostrnn-nolive")
	build := exec.Command("go", "build", "-tags", "nolive", "-o", exe, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build -tags nolive: %v\n%s", err, out)
	}
	if runtime.GOOS == "linux" {
		f, err := elf.Open(exe)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("the nolive binary is dynamically linked")
			}
		}
		f.Close()
	}
	for _, cmd := range []string{"live", "latency", "devices"} {
		r := runNoLive(t, exe, cmd, "--duration", "1s")
		if r.code != 1 || !strings.Contains(r.stderr, "built without live audio") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and one line saying the build has no live audio", cmd, r.code, r.stderr)
		}
	}
	dir := t.TempDir()
	in := "../testdata/example/noisy.wav"
	a, b := filepath.Join(dir, "full.wav"), filepath.Join(dir, "nolive.wav")
	if r := ghostrnn(t, nil, "denoise", "-q", in, "-o", a); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runNoLive(t, exe, "denoise", "-q", in, "-o", b); r.code != 0 {
		t.Fatal(r.stderr)
	}
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Errorf("the nolive build's denoise output (%d bytes) differs from the full build's (%d bytes)", len(y), len(x))
	}
}

// runNoLive runs the nolive binary exe with args.
func runNoLive(t *testing.T, exe string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("ghostrnn-nolive %s did not finish within 2 minutes (hang)", strings.Join(args, " "))
	}
	r := result{out.String(), errb.String(), 0}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}
