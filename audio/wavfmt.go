package audio

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// WAV format tags (wFormatTag).
const (
	wavePCM        = 0x0001
	waveADPCM      = 0x0002
	waveFloat      = 0x0003
	waveALaw       = 0x0006
	waveMuLaw      = 0x0007
	waveIMAADPCM   = 0x0011
	waveGSM610     = 0x0031
	waveMPEG       = 0x0050
	waveMP3        = 0x0055
	waveExtensible = 0xFFFE
)

// Limits on chunks read into memory.
const (
	maxFmtChunk  = 1 << 10 // fmt and ds64 chunks larger than this are errors
	maxMetaChunk = 1 << 20 // LIST chunks larger than this are skipped, not kept
	maxMetaTotal = 4 << 20 // total metadata kept
)

// ksGUIDTail is the last 14 bytes of every KSDATAFORMAT_SUBTYPE_* GUID whose
// first two bytes are a wFormatTag.
var ksGUIDTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// codecName names the compressed WAV codecs people meet.
func codecName(tag uint16) string {
	switch tag {
	case waveADPCM:
		return "MS ADPCM"
	case waveALaw:
		return "A-law"
	case waveMuLaw:
		return "µ-law"
	case waveIMAADPCM:
		return "IMA ADPCM"
	case waveGSM610:
		return "GSM 6.10"
	case waveMPEG:
		return "MPEG"
	case waveMP3:
		return "MPEG Layer 3"
	}
	return ""
}

// wavFmt is a parsed and validated fmt chunk.
type wavFmt struct {
	format     Format
	float      bool
	blockAlign int // bytes per frame
	container  int // bytes per sample
}

// parseFmt validates the body of a fmt chunk.
func parseFmt(b []byte, order binary.ByteOrder) (wavFmt, error) {
	var w wavFmt
	if len(b) < 16 {
		return w, malformedf("fmt chunk too small (%d bytes, need 16)", len(b))
	}
	tag := order.Uint16(b[0:])
	channels := int(order.Uint16(b[2:]))
	rate := order.Uint32(b[4:])
	blockAlign := int(order.Uint16(b[12:]))
	bits := int(order.Uint16(b[14:]))
	validBits := bits
	if tag == waveExtensible {
		if len(b) < 40 {
			return w, malformedf("WAVE_FORMAT_EXTENSIBLE fmt chunk too small (%d bytes, need 40)", len(b))
		}
		if cb := order.Uint16(b[16:]); cb < 22 {
			return w, malformedf("WAVE_FORMAT_EXTENSIBLE cbSize %d, need 22", cb)
		}
		if v := int(order.Uint16(b[18:])); v != 0 {
			validBits = v
		}
		guid := b[24:40]
		if !bytes.Equal(guid[2:], ksGUIDTail) {
			return w, unsupportedf("unsupported WAV sub-format GUID % x", guid)
		}
		tag = binary.LittleEndian.Uint16(guid[:2])
	}
	if rate > MaxSampleRate {
		// Check before converting to int on 32-bit platforms.
		return w, malformedf("absurd sample rate %d Hz (max %d)", rate, MaxSampleRate)
	}
	switch tag {
	case wavePCM, waveFloat:
	default:
		if name := codecName(tag); name != "" {
			return w, unsupportedf("unsupported WAV codec %s (format %d)", name, tag)
		}
		return w, unsupportedf("unsupported WAV codec (format 0x%04X)", tag)
	}
	w.format = Format{SampleRate: int(rate), Channels: channels, Bits: validBits}
	if err := w.format.check(); err != nil {
		return w, err
	}
	w.float = tag == waveFloat
	if bits == 0 || bits > 64 {
		return w, malformedf("invalid bits per sample %d", bits)
	}
	if validBits > bits {
		return w, malformedf("valid bits per sample %d exceeds container size %d", validBits, bits)
	}
	w.container = (bits + 7) / 8
	switch {
	case w.float && bits == 32:
		w.format.Encoding = Float32
	case w.float && bits == 64:
		w.format.Encoding = Float64
	case w.float:
		return w, unsupportedf("unsupported WAV float sample size %d bits", bits)
	case w.container == 1:
		w.format.Encoding = PCM8
	case w.container == 2:
		w.format.Encoding = PCM16
	case w.container == 3:
		w.format.Encoding = PCM24
	case w.container == 4:
		w.format.Encoding = PCM32
	default:
		return w, unsupportedf("unsupported WAV PCM sample size %d bits", bits)
	}
	if blockAlign != channels*w.container {
		return w, malformedf("block align %d does not match %d channels of %d bytes", blockAlign, channels, w.container)
	}
	w.blockAlign = blockAlign
	return w, nil
}

// fourCC formats a chunk ID for error messages.
func fourCC(id []byte) string {
	if validID(id) {
		return fmt.Sprintf("%q", id)
	}
	return fmt.Sprintf("% x", id)
}

// validID reports whether id looks like a chunk ID: four printable ASCII bytes.
func validID(id []byte) bool {
	if len(id) != 4 {
		return false
	}
	for _, c := range id {
		if c < 0x20 || c > 0x7E {
			return false
		}
	}
	return true
}
