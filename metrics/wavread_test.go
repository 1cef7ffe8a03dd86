package metrics

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// encodeWAV builds a WAV file from interleaved samples in [-1, 1).
func encodeWAV(format, channels, bits, fs int, extensible bool, inter []float64) []byte {
	var data bytes.Buffer
	le := binary.LittleEndian
	for _, v := range inter {
		switch {
		case format == 1 && bits == 8:
			data.WriteByte(byte(int(math.Round(v*128)) + 128))
		case format == 1 && bits == 16:
			binary.Write(&data, le, int16(math.Round(v*32768)))
		case format == 1 && bits == 24:
			u := uint32(int32(math.Round(v * (1 << 23))))
			data.Write([]byte{byte(u), byte(u >> 8), byte(u >> 16)})
		case format == 1 && bits == 32:
			binary.Write(&data, le, int32(math.Round(v*(1<<31))))
		case format == 3 && bits == 32:
			binary.Write(&data, le, float32(v))
		case format == 3 && bits == 64:
			binary.Write(&data, le, v)
		}
	}
	block := channels * bits / 8
	var fmtc bytes.Buffer
	tag := format
	if extensible {
		tag = 0xFFFE
	}
	binary.Write(&fmtc, le, uint16(tag))
	binary.Write(&fmtc, le, uint16(channels))
	binary.Write(&fmtc, le, uint32(fs))
	binary.Write(&fmtc, le, uint32(fs*block))
	binary.Write(&fmtc, le, uint16(block))
	binary.Write(&fmtc, le, uint16(bits))
	if extensible {
		binary.Write(&fmtc, le, uint16(22))
		binary.Write(&fmtc, le, uint16(bits))
		binary.Write(&fmtc, le, uint32(0))
		binary.Write(&fmtc, le, uint16(format))
		fmtc.Write([]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71})
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(4+8+fmtc.Len()+8+3+8+data.Len()))
	b.WriteString("WAVE")
	b.WriteString("fmt ")
	binary.Write(&b, le, uint32(fmtc.Len()))
	b.Write(fmtc.Bytes())
	b.WriteString("LIST") // odd-sized chunk: exercises the pad byte
	binary.Write(&b, le, uint32(3))
	b.Write([]byte{'a', 'b', 'c', 0})
	b.WriteString("data")
	binary.Write(&b, le, uint32(data.Len()))
	b.Write(data.Bytes())
	return b.Bytes()
}

func TestReadWAVMono(t *testing.T) {
	const fs, n = 22050, 300
	left, right := make([]float64, n), make([]float64, n)
	for i := range left {
		left[i] = 0.5 * math.Sin(float64(i)/7)
		right[i] = -0.25 * math.Cos(float64(i)/5)
	}
	tests := []struct {
		name              string
		format, bits, chn int
		ext               bool
		tol               float64
	}{
		{"pcm8 mono", 1, 8, 1, false, 1.0 / 128},
		{"pcm16 mono", 1, 16, 1, false, 1.0 / 32768},
		{"pcm16 stereo", 1, 16, 2, false, 1.0 / 32768},
		{"pcm24 stereo", 1, 24, 2, false, 1e-6},
		{"pcm32 3ch", 1, 32, 3, false, 1e-7},
		{"float32 stereo", 3, 32, 2, false, 1e-7},
		{"float64 mono", 3, 64, 1, false, 1e-7},
		{"extensible pcm24 stereo", 1, 24, 2, true, 1e-6},
		{"extensible float32 mono", 3, 32, 1, true, 1e-7},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inter := make([]float64, 0, n*tc.chn)
			want := make([]float64, n)
			for i := 0; i < n; i++ {
				var s float64
				for c := 0; c < tc.chn; c++ {
					v := left[i]
					if c%2 == 1 {
						v = right[i]
					}
					inter = append(inter, v)
					s += v
				}
				want[i] = s / float64(tc.chn)
			}
			p := filepath.Join(dir, tc.name+".wav")
			if err := os.WriteFile(p, encodeWAV(tc.format, tc.chn, tc.bits, fs, tc.ext, inter), 0o644); err != nil {
				t.Fatal(err)
			}
			x, rate, err := ReadWAVMono(p)
			if err != nil {
				t.Fatal(err)
			}
			if rate != fs || len(x) != n {
				t.Fatalf("got %d samples at %d Hz, want %d at %d", len(x), rate, n, fs)
			}
			for i := range x {
				if math.Abs(float64(x[i])-want[i]) > tc.tol {
					t.Fatalf("sample %d = %g, want %g", i, x[i], want[i])
				}
			}
		})
	}

	bad := [][]byte{nil, []byte("RIFF\x00\x00\x00\x00WAVE"), []byte("not a wav file at all")}
	for i, b := range bad {
		if _, _, err := DecodeWAVMono(b); err == nil {
			t.Errorf("bad input %d accepted", i)
		}
	}
	if _, _, err := DecodeWAVMono(encodeWAV(1, 1, 12, fs, false, nil)); err == nil {
		t.Error("12-bit PCM accepted")
	}
	// A truncated data chunk is read up to its last whole frame.
	full := encodeWAV(1, 2, 16, fs, false, append(left[:10:10], right[:10]...))
	x, _, err := DecodeWAVMono(full[:len(full)-3])
	if err != nil || len(x) != 9 {
		t.Errorf("truncated file: %d samples, %v; want 9", len(x), err)
	}
}
