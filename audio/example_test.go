package audio_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"math"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/audio/resample"
)

// Example converts a 48 kHz stream to 16 kHz, block by block, in constant
// memory, keeping the metadata, as a CLI does from stdin to stdout.
func Example() {
	// A 1-second 48 kHz WAV, written as to a pipe (no seeking).
	var in bytes.Buffer
	w, _ := audio.CreateWAV(&in, audio.Format{SampleRate: 48000, Channels: 1, Encoding: audio.PCM16},
		audio.Chunk{ID: "LIST", Data: []byte("INFOINAM\x06\x00\x00\x00hello\x00")})
	tone := make([]float32, 48000)
	for i := range tone {
		tone[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/48000))
	}
	w.Write(tone)
	w.Close()

	r, err := audio.NewReader(&in, "-")
	if err != nil {
		log.Fatal(err)
	}
	f := r.Format()
	rs, err := resample.New(f.SampleRate, 16000, f.Channels)
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	ow, err := audio.CreateWAV(&out, audio.Format{SampleRate: 16000, Channels: f.Channels, Encoding: audio.PCM16}, audio.Metadata(r)...)
	if err != nil {
		log.Fatal(err)
	}
	buf := make([]float32, 4800*f.Channels)
	var res []float32
	frames := 0
	for {
		n, err := r.Read(buf)
		res = rs.Process(res[:0], buf[:n])
		frames += len(res) / f.Channels
		ow.Write(res)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	res = rs.Flush(res[:0])
	frames += len(res) / f.Channels
	ow.Write(res)
	ow.Close()
	fmt.Println(frames, "frames at 16 kHz; NaN/Inf samples:", audio.NonFinite(r))
	// Output: 16000 frames at 16 kHz; NaN/Inf samples: 0
}
