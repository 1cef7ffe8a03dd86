package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio"
)

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
