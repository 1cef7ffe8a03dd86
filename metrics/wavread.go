package metrics

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// ReadWAVMono reads a RIFF/WAVE file and returns its samples as float32 in
// [-1, 1], multichannel audio downmixed to mono by averaging the channels,
// and the sample rate. Supported encodings: integer PCM with 8 (unsigned), 16,
// 24 or 32 bits (value / 2^(bits-1)) and IEEE float with 32 or 64 bits, in
// plain or WAVE_FORMAT_EXTENSIBLE headers. A data chunk whose size runs past
// the end of the file (as left by an interrupted or streaming writer) is read
// up to the last whole frame.
//
// It is a minimal stand-in for the audio package, kept dependency-free.
func ReadWAVMono(path string) ([]float32, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	x, fs, err := DecodeWAVMono(b)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return x, fs, nil
}

// DecodeWAVMono is ReadWAVMono on the bytes of a WAV file.
func DecodeWAVMono(b []byte) ([]float32, int, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a RIFF/WAVE file")
	}
	le := binary.LittleEndian
	var (
		haveFmt              bool
		format, channels     int
		rate, bits, blockLen int
	)
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(le.Uint32(b[p+4:p+8]))
		body := b[p+8:]
		switch id {
		case "fmt ":
			if size < 16 || len(body) < 16 {
				return nil, 0, errors.New("short fmt chunk")
			}
			format = int(le.Uint16(body[0:2]))
			channels = int(le.Uint16(body[2:4]))
			rate = int(le.Uint32(body[4:8]))
			blockLen = int(le.Uint16(body[12:14]))
			bits = int(le.Uint16(body[14:16]))
			if format == 0xFFFE { // WAVE_FORMAT_EXTENSIBLE: sub-format GUID at 24
				if size < 40 || len(body) < 40 {
					return nil, 0, errors.New("short extensible fmt chunk")
				}
				format = int(le.Uint16(body[24:26]))
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, 0, errors.New("data chunk before fmt chunk")
			}
			if size > len(body) || size < 0 {
				size = len(body)
			}
			x, err := decodePCM(body[:size], format, channels, bits, blockLen)
			if err != nil {
				return nil, 0, err
			}
			if rate <= 0 {
				return nil, 0, fmt.Errorf("invalid sample rate %d", rate)
			}
			return x, rate, nil
		}
		if size > len(body) {
			break
		}
		p += 8 + size + size&1
	}
	if !haveFmt {
		return nil, 0, errors.New("no fmt chunk")
	}
	return nil, 0, errors.New("no data chunk")
}

// decodePCM converts interleaved frames to a mono float32 signal.
func decodePCM(d []byte, format, channels, bits, blockLen int) ([]float32, error) {
	bps := bits / 8
	if channels < 1 || bits%8 != 0 || bps < 1 || blockLen < channels*bps {
		return nil, fmt.Errorf("invalid format: %d channels, %d bits, block %d", channels, bits, blockLen)
	}
	var get func(s []byte) float64
	le := binary.LittleEndian
	switch {
	case format == 1 && bits == 8:
		get = func(s []byte) float64 { return (float64(s[0]) - 128) / 128 }
	case format == 1 && bits == 16:
		get = func(s []byte) float64 { return float64(int16(le.Uint16(s))) / (1 << 15) }
	case format == 1 && bits == 24:
		get = func(s []byte) float64 {
			v := int32(uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24) >> 8
			return float64(v) / (1 << 23)
		}
	case format == 1 && bits == 32:
		get = func(s []byte) float64 { return float64(int32(le.Uint32(s))) / (1 << 31) }
	case format == 3 && bits == 32:
		get = func(s []byte) float64 { return float64(math.Float32frombits(le.Uint32(s))) }
	case format == 3 && bits == 64:
		get = func(s []byte) float64 { return math.Float64frombits(le.Uint64(s)) }
	default:
		return nil, fmt.Errorf("unsupported encoding: format tag %d, %d bits", format, bits)
	}
	n := len(d) / blockLen
	x := make([]float32, n)
	inv := 1 / float64(channels)
	for i := range x {
		fr := d[i*blockLen:]
		var s float64
		for c := 0; c < channels; c++ {
			s += get(fr[c*bps:])
		}
		x[i] = float32(s * inv)
	}
	return x, nil
}
