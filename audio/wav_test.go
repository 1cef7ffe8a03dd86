package audio

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWAVRead reads valid WAV files of every supported layout, both from a
// file (Open) and from a non-seekable stream (NewReader).
func TestWAVRead(t *testing.T) {
	be := binary.BigEndian
	pcm := pcm16(0, 16384, -32768, 32767)
	want16 := []float32{0, 0.5, -1, 32767.0 / 32768}
	fmt16 := ck("fmt ", fmtPCM(wavePCM, 1, 16000, 16))
	list := ck("LIST", infoList("title"))
	ds64 := func(dataSize uint64) chunk {
		b := le.AppendUint64(nil, 0)
		b = le.AppendUint64(b, dataSize)
		b = le.AppendUint64(b, dataSize/2)
		return ck("ds64", le.AppendUint32(b, 0))
	}
	tests := []struct {
		name      string
		data      []byte
		format    Format
		frames    int64 // from Open; NewReader gives the same unless streamFrames
		want      []float32
		meta      int // LIST chunks found by Open
		streamMet int // LIST chunks found by NewReader
	}{
		{"pcm16", wavBytes("RIFF", fmt16, ck("data", pcm)),
			Format{16000, 1, PCM16, 16}, 4, want16, 0, 0},
		{"pcm8", wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 1, 8000, 8)), ck("data", []byte{128, 192, 0, 255})),
			Format{8000, 1, PCM8, 8}, 4, []float32{0, 0.5, -1, 127.0 / 128}, 0, 0},
		{"pcm24 stereo", wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 2, 48000, 24)), ck("data", []byte{0, 0, 0x40, 0, 0, 0xC0, 0xFF, 0xFF, 0x7F, 0x01, 0, 0x80})),
			Format{48000, 2, PCM24, 24}, 2, []float32{0.5, -0.5, float32(8388607.0 / 8388608), -float32(8388607.0 / 8388608)}, 0, 0},
		{"pcm32", wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 1, 16000, 32)), ck("data", le.AppendUint32(le.AppendUint32(nil, 1<<30), 0x80000000))),
			Format{16000, 1, PCM32, 32}, 2, []float32{0.5, -1}, 0, 0},
		{"float32", wavBytes("RIFF", ck("fmt ", fmtPCM(waveFloat, 1, 16000, 32)), ck("fact", le.AppendUint32(nil, 3)), ck("data", f32(0.25, -1.5, 1))),
			Format{16000, 1, Float32, 32}, 3, []float32{0.25, -1.5, 1}, 0, 0},
		{"float64", wavBytes("RIFF", ck("fmt ", fmtPCM(waveFloat, 1, 16000, 64)), ck("data", le.AppendUint64(le.AppendUint64(nil, math.Float64bits(0.125)), math.Float64bits(-0.75)))),
			Format{16000, 1, Float64, 64}, 2, []float32{0.125, -0.75}, 0, 0},
		{"RIFX big-endian", wavBytes("RIFX", ck("fmt ", fmtBody(be, wavePCM, 1, 16000, 2, 16)), ck("data", []byte{0x40, 0x00, 0x80, 0x00})),
			Format{16000, 1, PCM16, 16}, 2, []float32{0.5, -1}, 0, 0},
		{"RF64", wavBytes("RF64", ds64(8), fmt16, chunk{id: "data", data: pcm, size: 0xFFFFFFFF}),
			Format{16000, 1, PCM16, 16}, 4, want16, 0, 0},
		{"extensible 20-in-24", wavBytes("RIFF", ck("fmt ", fmtExt(wavePCM, 1, 44100, 24, 20)), ck("data", []byte{0, 0, 0x40})),
			Format{44100, 1, PCM24, 20}, 1, []float32{0.5}, 0, 0},
		{"extensible float", wavBytes("RIFF", ck("fmt ", fmtExt(waveFloat, 1, 44100, 32, 32)), ck("data", f32(0.5))),
			Format{44100, 1, Float32, 32}, 1, []float32{0.5}, 0, 0},
		{"6 channels", wavBytes("RIFF", ck("fmt ", fmtExt(wavePCM, 6, 48000, 16, 16)), ck("data", pcm16(1, 2, 3, 4, 5, 6))),
			Format{48000, 6, PCM16, 16}, 1, []float32{1. / 32768, 2. / 32768, 3. / 32768, 4. / 32768, 5. / 32768, 6. / 32768}, 0, 0},
		{"LIST before fmt", wavBytes("RIFF", list, fmt16, ck("data", pcm)),
			Format{16000, 1, PCM16, 16}, 4, want16, 1, 1},
		{"LIST after data", wavBytes("RIFF", fmt16, ck("data", pcm), list),
			Format{16000, 1, PCM16, 16}, 4, want16, 1, 0},
		{"odd chunks padded", wavBytes("RIFF", ck("junk", []byte{1, 2, 3}), fmt16, ck("odd ", []byte{9}), ck("data", pcm), list),
			Format{16000, 1, PCM16, 16}, 4, want16, 1, 0},
		{"odd chunk without pad byte", wavBytes("RIFF", chunk{id: "junk", data: []byte{1, 2, 3}, size: -1}, fmt16, ck("data", pcm)),
			Format{16000, 1, PCM16, 16}, 4, want16, 0, 0},
		{"odd 8-bit data then LIST", wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 1, 8000, 8)), ck("data", []byte{128, 192, 0}), list),
			Format{8000, 1, PCM8, 8}, 3, []float32{0, 0.5, -1}, 1, 0},
		{"streamed size 0xFFFFFFFF", wavBytes("RIFF", fmt16, chunk{id: "data", data: pcm, size: 0xFFFFFFFF}),
			Format{16000, 1, PCM16, 16}, -1, want16, 0, 0},
		{"adtl list dropped", wavBytes("RIFF", fmt16, ck("LIST", []byte("adtl")), ck("data", pcm)),
			Format{16000, 1, PCM16, 16}, 4, want16, 0, 0},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "x.wav")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, c, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, err := NewReader(bytes.NewReader(tt.data), "-")
			if err != nil {
				t.Fatal(err)
			}
			for i, rd := range []Reader{r, s} {
				mode := [...]string{"Open", "NewReader"}[i]
				if rd.Format() != tt.format {
					t.Errorf("%s: format %+v, want %+v", mode, rd.Format(), tt.format)
				}
				if rd.Frames() != tt.frames {
					t.Errorf("%s: Frames %d, want %d", mode, rd.Frames(), tt.frames)
				}
				got, err := readAll(rd)
				if err != nil {
					t.Fatalf("%s: %v", mode, err)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("%s: samples %v, want %v", mode, got, tt.want)
				}
				wantMeta := []int{tt.meta, tt.streamMet}[i]
				if m := Metadata(rd); len(m) != wantMeta {
					t.Errorf("%s: %d metadata chunks, want %d", mode, len(m), wantMeta)
				} else if wantMeta > 0 && !bytes.Equal(m[0].Data, infoList("title")) {
					t.Errorf("%s: metadata %q", mode, m[0].Data)
				}
			}
		})
	}
}

// TestReadSmallBuffer checks that Read takes buffers of one frame and
// refuses smaller ones.
func TestReadSmallBuffer(t *testing.T) {
	data := wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 2, 16000, 16)), ck("data", pcm16(1, 2, 3, 4, 5, 6)))
	r, err := NewReader(bytes.NewReader(data), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]float32, 1)); err == nil {
		t.Error("Read into a 1-sample buffer of a stereo stream succeeded")
	}
	buf := make([]float32, 3) // one frame and a half
	total := 0
	for {
		n, err := r.Read(buf)
		if n != 0 && n != 2 {
			t.Fatalf("Read returned %d samples", n)
		}
		total += n
		if err != nil {
			break
		}
	}
	if total != 6 {
		t.Errorf("read %d samples, want 6", total)
	}
}
