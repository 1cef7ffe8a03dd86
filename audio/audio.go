package audio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Reader is a stream of audio samples.
type Reader interface {
	// Format describes the stream. It does not change while reading.
	Format() Format
	// Frames is the total number of frames (samples per channel) if the
	// header tells it, or -1 if it is unknown (e.g. a WAV stream written to
	// a pipe, or an MP3 without a LAME/Xing tag).
	Frames() int64
	// Read fills buf with interleaved samples, nominally in [-1, 1] (float
	// sources may exceed it; they are not clipped). It returns the number of
	// samples read, always a multiple of the channel count, and io.EOF once
	// the stream ends normally. An input that ends early returns an error
	// wrapping ErrTruncated instead of io.EOF. len(buf) must hold at least
	// one frame.
	Read(buf []float32) (n int, err error)
}

// Writer is a sink of audio samples.
type Writer interface {
	// Write appends interleaved samples; len(buf) must be a multiple of the
	// channel count.
	Write(buf []float32) error
	// Close flushes buffered data and finalises headers. It does not close
	// the underlying io.Writer.
	Close() error
}

// Chunk is a RIFF chunk kept as metadata, such as a LIST/INFO chunk.
type Chunk struct {
	// ID is the four-character chunk ID, e.g. "LIST".
	ID string
	// Data is the chunk body without the pad byte. For LIST chunks it begins
	// with the list type, e.g. "INFO".
	Data []byte
}

// Metadata returns the metadata chunks of r (the LIST chunks of a WAV
// source, wherever they were in the file), or nil if r has none.
func Metadata(r Reader) []Chunk {
	if m, ok := r.(interface{ Metadata() []Chunk }); ok {
		return m.Metadata()
	}
	return nil
}

// NonFinite returns how many NaN or ±Inf samples r has replaced by 0 so far
// (float WAV sources only; 0 for others). Callers may warn when it is not 0.
func NonFinite(r Reader) int64 {
	if m, ok := r.(interface{ NonFinite() int64 }); ok {
		return m.NonFinite()
	}
	return 0
}

// bufSize is the read buffer of every decoder. It bounds memory use.
const bufSize = 64 << 10

// Open opens the audio file at path and recognises its format (WAV, FLAC or
// MP3) by its first bytes, whatever its extension. The caller must close
// the returned io.Closer once done with the Reader.
func Open(path string) (Reader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, nil, errors.New("is a directory")
	}
	size := int64(-1)
	if st.Mode().IsRegular() {
		size = st.Size()
	}
	r, err := newReader(f, filepath.Ext(path), size)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return r, f, nil
}

// NewReader recognises the format of the stream r (WAV, FLAC or MP3) by its
// first bytes and returns a Reader decoding it. r need not be seekable
// (stdin works). name is the file name or "-": it is only a hint for MP3
// streams whose first bytes are not a frame header (".mp3" allows skipping
// junk before the first frame).
func NewReader(r io.Reader, name string) (Reader, error) {
	return newReader(r, filepath.Ext(name), -1)
}

// newReader sniffs r. If size >= 0, r is an *os.File of that size.
func newReader(r io.Reader, ext string, size int64) (Reader, error) {
	br := bufio.NewReaderSize(r, bufSize)
	head, err := br.Peek(12)
	if len(head) == 0 {
		if err == io.EOF || err == nil {
			return nil, malformedf("empty file")
		}
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	var skipped int64
	if bytes.HasPrefix(head, []byte("ID3")) {
		// ID3v2 tag in front of MP3 (or FLAC): skip it.
		n, err := skipID3v2(br)
		if err != nil {
			return nil, err
		}
		skipped = n
		head, _ = br.Peek(12)
	}
	switch {
	case len(head) >= 4 && (string(head[:4]) == "RIFF" || string(head[:4]) == "RIFX" || string(head[:4]) == "RF64"):
		if skipped > 0 {
			return nil, malformedf("ID3 tag in front of a WAV file")
		}
		var rs io.ReadSeeker
		if f, ok := r.(*os.File); ok && size >= 0 {
			rs = f
		}
		return newWAVReader(br, rs, size)
	case len(head) >= 4 && string(head[:4]) == "fLaC":
		return newFLACReader(br)
	case isMP3Header(head):
		return newMP3Reader(br, false)
	case strings.EqualFold(ext, ".mp3") || skipped > 0:
		return newMP3Reader(br, true)
	case len(head) < 4:
		return nil, truncatedf("truncated header: file has only %d bytes", len(head))
	}
	return nil, unsupportedf("unrecognised audio format (first bytes % x; want WAV, FLAC or MP3)", head[:min(len(head), 8)])
}

// skipID3v2 discards an ID3v2 tag at the start of br and returns its size.
func skipID3v2(br *bufio.Reader) (int64, error) {
	var h [10]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return 0, truncatedf("truncated ID3 tag header")
	}
	for _, b := range h[6:10] {
		if b&0x80 != 0 {
			return 0, malformedf("malformed ID3 tag size")
		}
	}
	n := int64(h[6])<<21 | int64(h[7])<<14 | int64(h[8])<<7 | int64(h[9])
	if h[5]&0x10 != 0 {
		n += 10 // footer
	}
	m, err := io.CopyN(io.Discard, br, n)
	if err != nil {
		if err == io.EOF {
			return 0, truncatedf("truncated ID3 tag: header declares %d bytes, file has %d", n, m)
		}
		return 0, err
	}
	return 10 + n, nil
}

// checkFrames reports whether buf can take at least one frame.
func checkFrames(buf []float32, channels int) error {
	if len(buf) < channels {
		return fmt.Errorf("audio: Read buffer of %d samples is smaller than one frame (%d channels)", len(buf), channels)
	}
	return nil
}
