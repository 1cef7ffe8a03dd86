package cli_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/audio"
)

// waitOutputOpen waits until process pid has a file open in dir (its output
// being written: with O_TMPFILE a "dir/#123 (deleted)" that has no name),
// failing the test if the process exits first or after a generous guard
// against hangs (not a speed limit: the wait normally takes milliseconds).
func waitOutputOpen(t *testing.T, cmd *exec.Cmd, dir string, exited <-chan struct{}) {
	t.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid)
	guard := time.After(5 * time.Minute)
	for {
		es, _ := os.ReadDir(fds)
		for _, e := range es {
			if l, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && strings.HasPrefix(l, dir+"/") {
				return
			}
		}
		select {
		case <-exited:
			t.Fatal("ghostrnn ended before its output was opened")
		case <-guard:
			cmd.Process.Kill()
			t.Fatal("ghostrnn never opened its output (hang)")
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// startCmd starts cmd with its stderr into errb; exited closes when it has
// ended, and then *err holds what Wait returned.
func startCmd(t *testing.T, cmd *exec.Cmd, errb *bytes.Buffer) (exited chan struct{}, err *error) {
	t.Helper()
	cmd.Stderr = errb
	if e := cmd.Start(); e != nil {
		t.Fatal(e)
	}
	exited, err = make(chan struct{}), new(error)
	go func() { *err = cmd.Wait(); close(exited) }()
	return exited, err
}

// entries lists the names in dir, hidden ones included.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range es {
		n = append(n, e.Name())
	}
	return n
}

// TestDenoiseSignals: SIGINT exits 130 and SIGTERM 143, and neither they
// nor SIGKILL leave any file in the output folder. The input is a WAV stream
// on a pipe that the test keeps open, so the signal always comes mid-run,
// while ghostrnn waits for more audio.
func TestDenoiseSignals(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("watches /proc for the open output")
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}, {syscall.SIGKILL, -1}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			out := t.TempDir()
			cmd := exec.Command(bin, "denoise", "-q", "-", "-o", filepath.Join(out, "clean.wav"))
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			var errb bytes.Buffer
			exited, werr := startCmd(t, cmd, &errb)
			w, err := audio.CreateWAV(stdin, audio.Format{SampleRate: 48000, Channels: 2, Encoding: audio.PCM16})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(voiced(48000*2*2, 48000, 1)); err != nil { // 2 s, then nothing more
				t.Fatal(err)
			}
			waitOutputOpen(t, cmd, out, exited)
			cmd.Process.Signal(tc.sig)
			<-exited
			code := -1
			if ee, ok := (*werr).(*exec.ExitError); ok && ee.Exited() {
				code = ee.ExitCode()
			}
			if code != tc.code {
				t.Errorf("exit %v (code %d), want %d; stderr %q", *werr, code, tc.code, errb.String())
			}
			if tc.code > 0 && !strings.Contains(errb.String(), "interrupted by "+map[int]string{130: "SIGINT", 143: "SIGTERM"}[tc.code]) {
				t.Errorf("stderr %q should say which signal interrupted it", errb.String())
			}
			if n := entries(t, out); len(n) != 0 {
				t.Errorf("left in the output folder: %v", n)
			}
		})
	}
}

// TestDenoiseInterrupt: SIGINT during a batch stops cleanly, keeps the files
// already finished, and leaves no partial output.
func TestDenoiseInterrupt(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("watches /proc for the open output")
	}
	dir, out := t.TempDir(), t.TempDir()
	f := audio.Format{SampleRate: 48000, Channels: 2, Encoding: audio.PCM16, Bits: 16}
	writeWAV(t, filepath.Join(dir, "a_short.wav"), f, voiced(4800, 48000, 1))
	long := make([]float32, 48000*2*180) // 3 minutes of stereo: long enough to interrupt
	copy(long, voiced(48000*2*10, 48000, 2))
	writeWAV(t, filepath.Join(dir, "b_long.wav"), f, long)
	cmd := exec.Command(bin, "denoise", "-q", "--jobs", "1", "--out-dir", out, dir)
	var errb bytes.Buffer
	exited, werr := startCmd(t, cmd, &errb)
	// a_short is done once its output has a name; then b_long is being written.
	for {
		if _, err := os.Stat(filepath.Join(out, "a_short_denoised.wav")); err == nil {
			break
		}
		select {
		case <-exited:
			t.Fatalf("ended early: %s", errb.String())
		case <-time.After(2 * time.Millisecond):
		}
	}
	waitOutputOpen(t, cmd, out, exited)
	cmd.Process.Signal(syscall.SIGINT)
	<-exited
	ee, ok := (*werr).(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want 130; stderr %q", *werr, errb.String())
	}
	if !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("stderr %q should say it was interrupted", errb.String())
	}
	if n := entries(t, out); len(n) != 1 || n[0] != "a_short_denoised.wav" {
		t.Errorf("outputs after interrupt: %v, want only a_short_denoised.wav", n)
	}
}
