package audio

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzNewReader feeds arbitrary bytes to the decoders: they may fail, but
// must not panic, loop forever, or return io.EOF for a frame count they do
// not deliver.
func FuzzNewReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(badDir, "*"))
	more, _ := filepath.Glob("testdata/*.mp3")
	for _, p := range append(files, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add(wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 2, 16000, 16)), ck("data", pcm16(1, 2, 3, 4))))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "x.mp3")
		if err != nil {
			return
		}
		buf := make([]float32, 64*r.Format().Channels)
		var frames int64
		for i := 0; i < 1<<20; i++ {
			n, err := r.Read(buf)
			frames += int64(n / r.Format().Channels)
			if err == io.EOF {
				if r.Frames() >= 0 && frames != r.Frames() {
					t.Fatalf("EOF after %d frames, Frames() = %d", frames, r.Frames())
				}
				return
			}
			if err != nil {
				return
			}
		}
		t.Fatal("no end after 2^20 reads")
	})
}
