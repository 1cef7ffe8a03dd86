package audio

import (
	"encoding/binary"
	"math"
)

// Helpers that build WAV files byte by byte, valid or not.

// chunk is a RIFF chunk for wavBytes; size < 0 means len(data).
type chunk struct {
	id   string
	data []byte
	size int64
	pad  bool // write the pad byte after odd-sized data (default true via ck)
}

// ck is a chunk with its true size and pad byte.
func ck(id string, data []byte) chunk { return chunk{id: id, data: data, size: -1, pad: true} }

// wavBytes lays out magic ("RIFF", "RIFX", "RF64"), a RIFF size fitting the
// chunks, "WAVE" and the chunks.
func wavBytes(magic string, chunks ...chunk) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	if magic == "RIFX" {
		order = binary.BigEndian
	}
	var body []byte
	for _, c := range chunks {
		size := c.size
		if size < 0 {
			size = int64(len(c.data))
		}
		body = append(body, c.id...)
		body = order.AppendUint32(body, uint32(size))
		body = append(body, c.data...)
		if len(c.data)%2 == 1 && c.pad {
			body = append(body, 0)
		}
	}
	b := order.AppendUint32([]byte(magic), uint32(len(body)+4))
	b = append(b, "WAVE"...)
	return append(b, body...)
}

// fmtBody builds a 16-byte fmt chunk body.
func fmtBody(order binary.AppendByteOrder, tag, channels int, rate uint32, blockAlign, bits int) []byte {
	b := order.AppendUint16(nil, uint16(tag))
	b = order.AppendUint16(b, uint16(channels))
	b = order.AppendUint32(b, rate)
	b = order.AppendUint32(b, rate*uint32(blockAlign))
	b = order.AppendUint16(b, uint16(blockAlign))
	return order.AppendUint16(b, uint16(bits))
}

// fmtPCM is a plain little-endian fmt body for tag with whole-byte samples.
func fmtPCM(tag, channels int, rate uint32, bits int) []byte {
	return fmtBody(binary.LittleEndian, tag, channels, rate, channels*((bits+7)/8), bits)
}

// fmtExt is a WAVE_FORMAT_EXTENSIBLE fmt body with sub-format tag.
func fmtExt(tag, channels int, rate uint32, bits, validBits int) []byte {
	b := fmtPCM(waveExtensible, channels, rate, bits)
	b = binary.LittleEndian.AppendUint16(b, 22)
	b = binary.LittleEndian.AppendUint16(b, uint16(validBits))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(tag))
	return append(b, ksGUIDTail...)
}

// pcm16 encodes samples as little-endian 16-bit PCM.
func pcm16(x ...int16) []byte {
	var b []byte
	for _, v := range x {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// f32 encodes samples as little-endian float32.
func f32(x ...float32) []byte {
	var b []byte
	for _, v := range x {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// infoList is a LIST/INFO chunk body with one INAM (title) entry.
func infoList(title string) []byte {
	b := []byte("INFOINAM")
	s := append([]byte(title), 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
	b = append(b, s...)
	if len(s)%2 == 1 {
		b = append(b, 0)
	}
	return b
}
