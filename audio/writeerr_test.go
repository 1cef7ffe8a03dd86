package audio

import (
	"errors"
	"strings"
	"testing"
)

// fullDisk accepts n bytes, then fails as a full disk does.
type fullDisk struct{ n int }

var errFull = errors.New("no space left on device")

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.n {
		k := d.n
		d.n = 0
		return k, errFull
	}
	d.n -= len(p)
	return len(p), nil
}

// TestWriteErrorPlain: a failing output gives its own error back from both
// writers, not an encoder's message with source locations or ANSI colours.
func TestWriteErrorPlain(t *testing.T) {
	f := Format{SampleRate: 16000, Channels: 1, Encoding: PCM16}
	x := make([]float32, 16000)
	for i := range x {
		x[i] = float32(i%100) / 200
	}
	for _, name := range []string{"wav", "flac"} {
		t.Run(name, func(t *testing.T) {
			d := &fullDisk{n: 1000}
			var w Writer
			var err error
			if name == "flac" {
				w, err = CreateFLAC(d, f)
			} else {
				w, err = CreateWAV(d, f)
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 10 && err == nil; i++ {
				err = w.Write(x)
			}
			if err == nil {
				err = w.Close()
			}
			if !errors.Is(err, errFull) || strings.ContainsAny(err.Error(), "\x1b") || err.Error() != errFull.Error() {
				t.Fatalf("got %q, want %q", err, errFull)
			}
		})
	}
}
