package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// streamSize is the fact chunk's sample count in headers that cannot be
// patched later (non-seekable output). The RIFF and data sizes get sox's
// placeholder instead (see CreateWAV).
const streamSize = 0xFFFFFFFF

// WAVWriter writes a WAV file as samples arrive. It implements Writer.
type WAVWriter struct {
	w         io.Writer
	ws        io.WriteSeeker // nil when the output cannot seek
	start     int64          // offset of "RIFF" in ws
	enc       Encoding
	channels  int
	container int   // bytes per sample
	hdrLen    int64 // bytes before the sample data
	factOff   int64 // offset of the fact sample count in the header, or 0
	data      int64 // sample bytes written
	buf       []byte
	clipped   int64
	err       error
	closed    bool
}

// CreateWAV starts a WAV file on w with f.SampleRate, f.Channels and
// f.Encoding (PCM8, PCM16, PCM24, PCM32, Float32 or Float64; the zero
// Encoding means PCM16; f.Bits is ignored), followed by the metadata chunks
// meta (e.g. Metadata of the source) before the sample data.
//
// If w is an io.WriteSeeker that can seek (a regular file), Close patches
// the sizes in the header. Otherwise (a pipe, stdout) the header carries
// the placeholder sizes sox writes to pipes (data 0x7FFFF000 rounded down
// to whole frames, RIFF size to match), which sox and ffmpeg read to the
// end of the stream without complaint (0xFFFFFFFF makes both warn), and
// data streams without limit; this package's reader takes them as "until
// the end of the stream" too, whereas sox and ffmpeg stop after 2 GiB of
// samples. A seekable file cannot grow past 4 GiB (RF64 is not written).
// The header also carries the placeholder sizes until Close, so an
// interrupted file remains readable.
func CreateWAV(w io.Writer, f Format, meta ...Chunk) (*WAVWriter, error) {
	if f.Encoding == EncodingUnknown {
		f.Encoding = PCM16
	}
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("audio: CreateWAV: %w", err)
	}
	ww := &WAVWriter{w: w, enc: f.Encoding, channels: f.Channels}
	tag := uint16(wavePCM)
	switch f.Encoding {
	case PCM8:
		ww.container = 1
	case PCM16:
		ww.container = 2
	case PCM24:
		ww.container = 3
	case PCM32:
		ww.container = 4
	case Float32:
		ww.container, tag = 4, waveFloat
	case Float64:
		ww.container, tag = 8, waveFloat
	default:
		return nil, fmt.Errorf("audio: CreateWAV: cannot write %v to WAV", f.Encoding)
	}
	hdr, err := ww.header(f, tag, meta)
	if err != nil {
		return nil, err
	}
	ph := soxPlaceholder(ww.container * f.Channels)
	binary.LittleEndian.PutUint32(hdr[len(hdr)-4:], ph)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(hdr))-8+ph+ph%2)
	if ws, ok := w.(io.WriteSeeker); ok {
		if pos, err := ws.Seek(0, io.SeekCurrent); err == nil {
			ww.ws, ww.start = ws, pos
		}
	}
	if _, err := w.Write(hdr); err != nil {
		return nil, err
	}
	ww.hdrLen = int64(len(hdr))
	frame := ww.container * f.Channels
	ww.buf = make([]byte, max(bufSize/frame, 1)*frame)
	return ww, nil
}

// header builds the RIFF header up to the data chunk's payload.
func (ww *WAVWriter) header(f Format, tag uint16, meta []Chunk) ([]byte, error) {
	le := binary.LittleEndian
	bits := 8 * ww.container
	blockAlign := ww.container * f.Channels
	h := make([]byte, 0, 128)
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, streamSize)
	h = append(h, "WAVE"...)
	h = append(h, "fmt "...)
	ext := f.Channels > 2
	switch {
	case ext:
		h = le.AppendUint32(h, 40)
		h = le.AppendUint16(h, waveExtensible)
	case tag == waveFloat:
		h = le.AppendUint32(h, 18)
		h = le.AppendUint16(h, tag)
	default:
		h = le.AppendUint32(h, 16)
		h = le.AppendUint16(h, tag)
	}
	h = le.AppendUint16(h, uint16(f.Channels))
	h = le.AppendUint32(h, uint32(f.SampleRate))
	h = le.AppendUint32(h, uint32(f.SampleRate*blockAlign))
	h = le.AppendUint16(h, uint16(blockAlign))
	h = le.AppendUint16(h, uint16(bits))
	switch {
	case ext:
		h = le.AppendUint16(h, 22)
		h = le.AppendUint16(h, uint16(bits))
		h = le.AppendUint32(h, 0) // no speaker assignment
		h = le.AppendUint16(h, tag)
		h = append(h, ksGUIDTail...)
	case tag == waveFloat:
		h = le.AppendUint16(h, 0)
	}
	if tag == waveFloat {
		h = append(h, "fact"...)
		h = le.AppendUint32(h, 4)
		ww.factOff = int64(len(h))
		h = le.AppendUint32(h, streamSize)
	}
	for _, c := range meta {
		switch {
		case !validID([]byte(c.ID)):
			return nil, fmt.Errorf("audio: CreateWAV: invalid chunk ID %q", c.ID)
		case c.ID == "fmt " || c.ID == "data" || c.ID == "fact" || c.ID == "ds64" || c.ID == "RIFF":
			return nil, fmt.Errorf("audio: CreateWAV: chunk %q cannot be metadata", c.ID)
		case int64(len(c.Data)) > maxMetaTotal:
			return nil, fmt.Errorf("audio: CreateWAV: chunk %q too large (%d bytes)", c.ID, len(c.Data))
		}
		h = append(h, c.ID...)
		h = le.AppendUint32(h, uint32(len(c.Data)))
		h = append(h, c.Data...)
		if len(c.Data)%2 == 1 {
			h = append(h, 0)
		}
	}
	h = append(h, "data"...)
	h = le.AppendUint32(h, streamSize)
	return h, nil
}

// Write implements Writer. Integer encodings round to nearest and clamp
// samples outside [-1, 1]; Clipped counts them.
func (ww *WAVWriter) Write(buf []float32) error {
	if ww.err != nil {
		return ww.err
	}
	if ww.closed {
		return errors.New("audio: write to closed WAVWriter")
	}
	if len(buf)%ww.channels != 0 {
		return fmt.Errorf("audio: Write of %d samples is not a whole number of %d-channel frames", len(buf), ww.channels)
	}
	if ww.ws != nil && ww.hdrLen+ww.data+int64(len(buf)*ww.container) > 0xFFFFFFFF-8 {
		ww.err = errors.New("audio: WAV output would exceed 4 GiB")
		return ww.err
	}
	per := len(ww.buf) / ww.container
	for len(buf) > 0 {
		n := min(len(buf), per)
		b := ww.buf[:n*ww.container]
		ww.clipped += int64(encodePCM(b, buf[:n], ww.enc))
		if _, err := ww.w.Write(b); err != nil {
			ww.err = err
			return err
		}
		ww.data += int64(len(b))
		buf = buf[n:]
	}
	return nil
}

// Clipped returns how many samples so far were outside [-1, 1] (clamped by
// integer encodings, kept by float ones) or NaN/±Inf (written as 0).
func (ww *WAVWriter) Clipped() int64 { return ww.clipped }

// Close implements Writer: on a seekable output it writes the pad byte if
// needed and patches the sizes in the header (a stream of unknown size gets
// no pad byte, which readers would take for a partial frame). It does not close the
// underlying writer.
func (ww *WAVWriter) Close() error {
	if ww.closed {
		return ww.err
	}
	ww.closed = true
	if ww.err != nil {
		return ww.err
	}
	if ww.data%2 == 1 && ww.ws != nil {
		if _, err := ww.w.Write([]byte{0}); err != nil {
			ww.err = err
			return err
		}
	}
	if ww.ws == nil {
		return nil
	}
	total := ww.hdrLen + ww.data + ww.data%2 // includes the pad byte
	frames := ww.data / int64(ww.container*ww.channels)
	patch := func(off int64, v uint32) error {
		if _, err := ww.ws.Seek(ww.start+off, io.SeekStart); err != nil {
			return err
		}
		_, err := ww.ws.Write(binary.LittleEndian.AppendUint32(nil, v))
		return err
	}
	err := patch(4, uint32(total-8))
	if err == nil {
		err = patch(ww.hdrLen-4, uint32(ww.data))
	}
	if err == nil && ww.factOff > 0 {
		err = patch(ww.factOff, uint32(frames))
	}
	if err == nil {
		_, err = ww.ws.Seek(ww.start+total, io.SeekStart)
	}
	ww.err = err
	return err
}
