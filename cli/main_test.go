package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/audio"
)

// bin is the ghostrnn binary built once for the command tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ghostrnn-cli-test-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "ghostrnn")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, "..")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building ghostrnn:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what a run of the binary gave.
type result struct {
	stdout, stderr string
	code           int
}

// ghostrnn runs the binary with args and optional stdin.
func ghostrnn(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	return runBin(t, nil, stdin, 5*time.Minute, args...)
}

// runBin runs the binary with args, an environment (nil: this process's),
// optional stdin and a timeout after which the test fails as a hang.
func runBin(t *testing.T, env []string, stdin io.Reader, timeout time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("ghostrnn %s did not finish within %v (hang); stderr:\n%s", strings.Join(args, " "), timeout, errb.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// writeWAV writes interleaved samples as a WAV file of format f.
func writeWAV(t *testing.T, path string, f audio.Format, x []float32) {
	t.Helper()
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := audio.CreateWAV(fh, f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(x); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
}

// readAll reads a whole audio file.
func readAll(t *testing.T, path string) (audio.Format, []float32) {
	t.Helper()
	r, c, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return r.Format(), readStream(t, r)
}

func readStream(t *testing.T, r audio.Reader) []float32 {
	t.Helper()
	var x []float32
	buf := make([]float32, 4096*r.Format().Channels)
	for {
		n, err := r.Read(buf)
		x = append(x, buf[:n]...)
		if err == io.EOF {
			return x
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// clickTrain returns frames of ch channels at rate with unit-ish clicks
// every period frames starting at first, and a little noise-free silence.
func clickTrain(frames, ch, first, period int) []float32 {
	x := make([]float32, frames*ch)
	for n := first; n < frames; n += period {
		for c := 0; c < ch; c++ {
			x[n*ch+c] = 0.5
		}
	}
	return x
}

// peakIndex returns the index of the largest |x[i*ch+c]| over i in [lo, hi).
func peakIndex(x []float32, ch, c, lo, hi int) int {
	best, bi := -1.0, -1
	for i := lo; i < hi && i*ch+c < len(x); i++ {
		if v := math.Abs(float64(x[i*ch+c])); v > best {
			best, bi = v, i
		}
	}
	return bi
}
