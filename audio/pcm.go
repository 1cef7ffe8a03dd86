package audio

import (
	"encoding/binary"
	"math"
)

// decodePCM converts the frames in src to float32 samples in dst, which has
// exactly one sample per sample of src. It returns how many NaN or ±Inf
// samples it replaced by 0.
func decodePCM(dst []float32, src []byte, f wavFmt, order binary.ByteOrder) int {
	bad := 0
	if order == binary.ByteOrder(binary.LittleEndian) {
		// Fast paths: calls through the ByteOrder interface cost ~3x.
		switch f.format.Encoding {
		case PCM16:
			src = src[:2*len(dst)]
			for i := range dst {
				dst[i] = float32(int16(binary.LittleEndian.Uint16(src[2*i:]))) * (1.0 / 32768)
			}
			return 0
		case Float32:
			src = src[:4*len(dst)]
			for i := range dst {
				v := math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
				if v != v || v > math.MaxFloat32 || v < -math.MaxFloat32 {
					v = 0
					bad++
				}
				dst[i] = v
			}
			return bad
		}
	}
	switch f.format.Encoding {
	case PCM8:
		for i, b := range src[:len(dst)] {
			dst[i] = float32(int(b)-128) * (1.0 / 128)
		}
	case PCM16:
		src = src[:2*len(dst)]
		for i := range dst {
			dst[i] = float32(int16(order.Uint16(src[2*i:]))) * (1.0 / 32768)
		}
	case PCM24:
		src = src[:3*len(dst)]
		if order == binary.ByteOrder(binary.BigEndian) {
			for i := range dst {
				b := src[3*i : 3*i+3]
				v := int32(uint32(b[2])<<8|uint32(b[1])<<16|uint32(b[0])<<24) >> 8
				dst[i] = float32(v) * (1.0 / (1 << 23))
			}
			break
		}
		for i := range dst {
			b := src[3*i : 3*i+3]
			v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
			dst[i] = float32(v) * (1.0 / (1 << 23))
		}
	case PCM32:
		src = src[:4*len(dst)]
		for i := range dst {
			dst[i] = float32(float64(int32(order.Uint32(src[4*i:]))) * (1.0 / (1 << 31)))
		}
	case Float32:
		src = src[:4*len(dst)]
		for i := range dst {
			v := math.Float32frombits(order.Uint32(src[4*i:]))
			if v != v || v > math.MaxFloat32 || v < -math.MaxFloat32 {
				v = 0
				bad++
			}
			dst[i] = v
		}
	case Float64:
		src = src[:8*len(dst)]
		for i := range dst {
			d := math.Float64frombits(order.Uint64(src[8*i:]))
			if d != d || d > math.MaxFloat32 || d < -math.MaxFloat32 {
				d = 0
				bad++
			}
			dst[i] = float32(d)
		}
	}
	return bad
}

// encodePCM converts the samples of src to little-endian enc in dst, which
// has room for exactly len(src) samples. It returns how many samples were
// outside [-1, 1] (integer encodings clamp them) or NaN/±Inf (written as 0).
func encodePCM(dst []byte, src []float32, enc Encoding) int {
	bad := 0
	switch enc {
	case PCM8:
		for i, x := range src {
			v, c := quantize(x, 128)
			bad += c
			dst[i] = byte(v + 128)
		}
	case PCM16:
		dst = dst[:2*len(src)]
		for i, x := range src {
			v, c := quantize(x, 1<<15)
			bad += c
			binary.LittleEndian.PutUint16(dst[2*i:], uint16(int16(v)))
		}
	case PCM24:
		dst = dst[:3*len(src)]
		for i, x := range src {
			v, c := quantize(x, 1<<23)
			bad += c
			dst[3*i], dst[3*i+1], dst[3*i+2] = byte(v), byte(v>>8), byte(v>>16)
		}
	case PCM32:
		dst = dst[:4*len(src)]
		for i, x := range src {
			v, c := quantize(x, 1<<31)
			bad += c
			binary.LittleEndian.PutUint32(dst[4*i:], uint32(int32(v)))
		}
	case Float32:
		dst = dst[:4*len(src)]
		for i, x := range src {
			if x != x || x > math.MaxFloat32 || x < -math.MaxFloat32 {
				x = 0
				bad++
			} else if x > 1 || x < -1 {
				bad++
			}
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(x))
		}
	case Float64:
		dst = dst[:8*len(src)]
		for i, x := range src {
			if x != x || x > math.MaxFloat32 || x < -math.MaxFloat32 {
				x = 0
				bad++
			} else if x > 1 || x < -1 {
				bad++
			}
			binary.LittleEndian.PutUint64(dst[8*i:], math.Float64bits(float64(x)))
		}
	}
	return bad
}

// quantize scales x by full (2^(bits-1)), rounds half away from zero and
// clamps to [-full, full-1]. The second result is 1 if x was outside
// [-1, 1] or NaN (which becomes 0).
func quantize(x float32, full int64) (int64, int) {
	if x != x {
		return 0, 1
	}
	c := 0
	if x > 1 || x < -1 {
		c = 1
	}
	v := float64(x) * float64(full)
	if v >= 0 {
		v += 0.5
	} else {
		v -= 0.5
	}
	switch {
	case v >= float64(full):
		return full - 1, c
	case v <= float64(-full):
		return -full, c
	}
	return int64(v), c
}
