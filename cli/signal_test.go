package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/audio"
)

// TestDenoiseInterrupt: SIGINT during a batch stops cleanly, keeps the files
// already finished, and leaves no partial output.
func TestDenoiseInterrupt(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	f := audio.Format{SampleRate: 48000, Channels: 2, Encoding: audio.PCM16, Bits: 16}
	writeWAV(t, filepath.Join(dir, "a_short.wav"), f, voiced(4800, 48000, 1))
	long := make([]float32, 48000*2*180) // 3 minutes of stereo: long enough to interrupt
	copy(long, voiced(48000*2*10, 48000, 2))
	writeWAV(t, filepath.Join(dir, "b_long.wav"), f, long)
	cmd := exec.Command(bin, "denoise", "-q", "--jobs", "1", "--out-dir", out, dir)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the long file's temp output exists, then interrupt.
	deadline := time.Now().Add(60 * time.Second)
	for {
		tmp, _ := filepath.Glob(filepath.Join(out, ".b_long*tmp*"))
		if len(tmp) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the long file never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want 130; stderr %q", err, errb.String())
	}
	if !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("stderr %q should say it was interrupted", errb.String())
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "a_short_denoised.wav" {
		t.Errorf("outputs after interrupt: %v, want only a_short_denoised.wav", names)
	}
}

// TestDenoiseKeepsListInfo: LIST/INFO metadata chunks are carried over.
func TestDenoiseKeepsListInfo(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.wav")
	info := append([]byte("INFO"), []byte("INAM\x06\x00\x00\x00Title\x00")...)
	fh, _ := os.Create(in)
	w, err := audio.CreateWAV(fh, audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16, Bits: 16}, audio.Chunk{ID: "LIST", Data: info})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(voiced(16000, 16000, 3))
	w.Close()
	fh.Close()
	if res := ghostrnn(t, nil, "denoise", "-q", in, "-o", out); res.code != 0 {
		t.Fatal(res.stderr)
	}
	b, _ := os.ReadFile(out)
	if !bytes.Contains(b, info) {
		t.Error("LIST/INFO chunk not carried over")
	}
}
