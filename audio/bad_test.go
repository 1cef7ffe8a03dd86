package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the files in ../testdata/bad")

// badDir holds the malformed inputs, shared with the CLI's tests.
const badDir = "../testdata/bad"

// badFile is a malformed (or odd but valid) input and what reading it must
// report.
type badFile struct {
	name string
	data func(t *testing.T) []byte
	want string // substring of the error; "" means it must read cleanly
	kind error  // sentinel the error wraps
	// nonFinite is the NonFinite count expected after a clean read.
	nonFinite int64
}

func fixed(b []byte) func(*testing.T) []byte { return func(*testing.T) []byte { return b } }

var le = binary.LittleEndian

func badFiles() []badFile {
	pcm := pcm16(1, 2, 3, 4)
	okFmt := ck("fmt ", fmtPCM(wavePCM, 1, 16000, 16))
	return []badFile{
		{"empty.wav", fixed(nil), "empty file", ErrMalformed, 0},
		{"short_header.wav", fixed([]byte("RIFF\x24\x00")), "truncated WAV header: file has only 6 bytes", ErrTruncated, 0},
		{"wrong_magic.wav", fixed([]byte("JUNK\x24\x00\x00\x00WAVEfmt ")), "unrecognised audio format", ErrUnsupported, 0},
		{"not_wave.wav", fixed([]byte("RIFF\x0c\x00\x00\x00AVI LIST")), `RIFF file is not WAVE (form type "AVI ")`, ErrMalformed, 0},
		{"text.wav", fixed([]byte("hello, world\n")), "unrecognised audio format", ErrUnsupported, 0},
		{"zero_channels.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtBody(le, wavePCM, 0, 16000, 2, 16)), ck("data", pcm))), "zero channels", ErrMalformed, 0},
		{"zero_rate.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 1, 0, 16)), ck("data", pcm))), "zero sample rate", ErrMalformed, 0},
		{"absurd_channels.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtBody(le, wavePCM, 60000, 16000, 2, 16)), ck("data", pcm))), "absurd channel count 60000", ErrMalformed, 0},
		{"absurd_rate.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 1, 0xFFFFFFF0, 16)), ck("data", pcm))), "absurd sample rate", ErrMalformed, 0},
		{"zero_bits.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtBody(le, wavePCM, 1, 16000, 2, 0)), ck("data", pcm))), "invalid bits per sample 0", ErrMalformed, 0},
		{"bad_block_align.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtBody(le, wavePCM, 2, 16000, 3, 16)), ck("data", pcm))), "block align 3", ErrMalformed, 0},
		{"mulaw.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtPCM(waveMuLaw, 1, 8000, 8)), ck("data", pcm))), "unsupported WAV codec µ-law (format 7)", ErrUnsupported, 0},
		{"alaw.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtPCM(waveALaw, 1, 8000, 8)), ck("data", pcm))), "unsupported WAV codec A-law (format 6)", ErrUnsupported, 0},
		{"ms_adpcm.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtBody(le, waveADPCM, 1, 8000, 256, 4)), ck("data", pcm))), "unsupported WAV codec MS ADPCM (format 2)", ErrUnsupported, 0},
		{"ima_adpcm.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtBody(le, waveIMAADPCM, 1, 8000, 256, 4)), ck("data", pcm))), "unsupported WAV codec IMA ADPCM (format 17)", ErrUnsupported, 0},
		{"float16.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtPCM(waveFloat, 1, 16000, 16)), ck("data", pcm))), "unsupported WAV float sample size 16 bits", ErrUnsupported, 0},
		{"bad_guid.wav", fixed(func() []byte {
			f := fmtExt(wavePCM, 1, 16000, 16, 16)
			f[30] ^= 0xFF
			return wavBytes("RIFF", ck("fmt ", f), ck("data", pcm))
		}()), "unsupported WAV sub-format GUID", ErrUnsupported, 0},
		{"huge_fmt.wav", fixed(wavBytes("RIFF", chunk{id: "fmt ", data: fmtPCM(wavePCM, 1, 16000, 16), size: 1 << 16}, ck("data", pcm))), "fmt chunk too large (65536 bytes, max 1024)", ErrMalformed, 0},
		{"small_fmt.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 1, 16000, 16)[:14]), ck("data", pcm))), "fmt chunk too small (14 bytes", ErrMalformed, 0},
		{"truncated_fmt.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 1, 16000, 16)))[:30]), "truncated WAV header: fmt chunk declares 16 bytes", ErrTruncated, 0},
		{"truncated_chunk_header.wav", fixed(wavBytes("RIFF", okFmt)[:40]), "truncated WAV header: chunk header cut off", ErrTruncated, 0},
		{"no_data.wav", fixed(wavBytes("RIFF", okFmt)), "no data chunk", ErrTruncated, 0},
		{"no_fmt.wav", fixed(wavBytes("RIFF", ck("LIST", infoList("x")))), "no fmt chunk", ErrTruncated, 0},
		{"data_before_fmt.wav", fixed(wavBytes("RIFF", ck("data", pcm), okFmt)), "data chunk before fmt chunk", ErrMalformed, 0},
		{"duplicate_fmt.wav", fixed(wavBytes("RIFF", okFmt, okFmt, ck("data", pcm))), "duplicate fmt chunk", ErrMalformed, 0},
		{"garbage_chunk_id.wav", fixed(wavBytes("RIFF", okFmt, ck("\x00\x01\x02\x03", pcm), ck("data", pcm))), "invalid chunk ID 00 01 02 03", ErrMalformed, 0},
		{"huge_list.wav", fixed(wavBytes("RIFF", okFmt, chunk{id: "LIST", data: infoList("x"), size: 0xFFFFFF00}, ck("data", pcm))), `truncated WAV header: LIST chunk declares 4294967040 bytes`, ErrTruncated, 0},
		{"huge_data.wav", fixed(wavBytes("RIFF", okFmt, chunk{id: "data", data: pcm, size: 0x7FFFFFF0})), "truncated WAV data: header declares 2147483632 bytes of samples", ErrTruncated, 0},
		{"truncated_data.wav", fixed(wavBytes("RIFF", okFmt, chunk{id: "data", data: pcm, size: 1000})), "truncated WAV data: header declares 1000 bytes of samples", ErrTruncated, 0},
		{"odd_data_size.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 2, 16000, 16)), ck("data", pcm[:6]))), "data chunk size 6 is not a multiple of the frame size 4", ErrMalformed, 0},
		{"partial_frame_stream.wav", fixed(wavBytes("RIFF", okFmt, chunk{id: "data", data: pcm[:7], size: 0xFFFFFFFF, pad: false})), "truncated WAV data: last frame has 1 of 2 bytes", ErrTruncated, 0},
		{"rf64_no_ds64.wav", fixed(wavBytes("RF64", okFmt, ck("data", pcm))), "RF64 file does not start with a ds64 chunk", ErrMalformed, 0},
		{"nan.wav", fixed(wavBytes("RIFF", ck("fmt ", fmtPCM(waveFloat, 1, 16000, 32)), ck("data", f32(0.5, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), -0.5)))), "", nil, 3},
		{"truncated.flac", func(t *testing.T) []byte {
			b := flacBytes(t, 8000, 1, 2000)
			return b[:len(b)-40]
		}, "truncated FLAC", ErrTruncated, 0},
		{"truncated.mp3", func(t *testing.T) []byte {
			b, err := os.ReadFile("testdata/tone_mono.mp3")
			if err != nil {
				t.Fatal(err)
			}
			return b[:len(b)-50]
		}, "truncated MP3 data: last frame has", ErrTruncated, 0},
		{"garbage.mp3", fixed(bytes.Repeat([]byte("not an mp3 "), 20)), "no MP3 frame found", ErrMalformed, 0},
		{"mp2.mp3", fixed([]byte{0xFF, 0xFD, 0x94, 0x00, 0, 0, 0, 0}), "unsupported MPEG audio layer 2", ErrUnsupported, 0},
	}
}

// flacBytes encodes a short 16-bit noise-free ramp as FLAC.
func flacBytes(t *testing.T, rate, ch, frames int) []byte {
	var b bytes.Buffer
	w, err := CreateFLAC(&b, Format{SampleRate: rate, Channels: ch, Encoding: PCM16})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, frames*ch)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)/7)) * 0.5
	}
	if err := w.Write(x); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readAll reads r to the end and returns the samples and the final error
// (nil at a clean io.EOF).
func readAll(r Reader) ([]float32, error) {
	var all []float32
	buf := make([]float32, 1024*r.Format().Channels)
	for {
		n, err := r.Read(buf)
		all = append(all, buf[:n]...)
		if err == io.EOF {
			return all, nil
		}
		if err != nil {
			return all, err
		}
	}
}

// TestBadFiles reads every file in ../testdata/bad both with Open (a
// seekable file) and NewReader (a stream) and checks the error says why.
// Run with -update to regenerate the files.
func TestBadFiles(t *testing.T) {
	for _, bf := range badFiles() {
		t.Run(bf.name, func(t *testing.T) {
			data := bf.data(t)
			path := filepath.Join(badDir, bf.name)
			if *update {
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			disk, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./audio -run TestBadFiles -update)", err)
			}
			if !bytes.Equal(disk, data) {
				t.Fatalf("%s differs from its generator (run go test ./audio -run TestBadFiles -update)", path)
			}
			if len(data) > 4096 {
				t.Errorf("%s is %d bytes; keep bad files tiny", path, len(data))
			}
			for _, mode := range []string{"Open", "NewReader"} {
				var r Reader
				var err error
				if mode == "Open" {
					var c io.Closer
					r, c, err = Open(path)
					if err == nil {
						defer c.Close()
					}
				} else {
					r, err = NewReader(bytes.NewReader(data), bf.name)
				}
				if err == nil {
					_, err = readAll(r)
				}
				if bf.want == "" {
					if err != nil {
						t.Errorf("%s: %v", mode, err)
					} else if got := NonFinite(r); got != bf.nonFinite {
						t.Errorf("%s: NonFinite = %d, want %d", mode, got, bf.nonFinite)
					}
					continue
				}
				if err == nil {
					t.Errorf("%s: no error, want %q", mode, bf.want)
					continue
				}
				if !strings.Contains(err.Error(), bf.want) {
					t.Errorf("%s: error %q, want it to contain %q", mode, err, bf.want)
				}
				if !errors.Is(err, bf.kind) {
					t.Errorf("%s: error %q does not wrap %v", mode, err, bf.kind)
				}
			}
		})
	}
}
