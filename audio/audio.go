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
	// wrapping ErrTruncated instead of io.EOF, after every whole frame it
	// holds (or io.EOF if it was opened with Salvage). len(buf) must hold
	// at least one frame.
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

// Damage returns what a reader opened with Salvage found missing from its
// input, such as "truncated WAV data: header declares 96000 bytes of
// samples, file has 42000", or "" while the input is intact. Truncation at
// the end of the stream is known only once Read has returned io.EOF; a
// WAV file's header that does not fit the file is known right after Open.
func Damage(r Reader) string {
	if d, ok := r.(interface{ Damage() string }); ok {
		return d.Damage()
	}
	return ""
}

// Option changes how Open and NewReader read their input.
type Option func(*options)

type options struct {
	salvage  bool
	onDamage func(string)
}

// Salvage makes a reader deliver what a damaged input holds instead of
// refusing it, as ffmpeg and sox do: a WAV whose data is shorter than its
// header says, a WAV file whose sizes were never written (both 0, what a
// recorder that crashed leaves), an MP3 cut mid-frame, a FLAC cut short.
// Read then ends with io.EOF where it would return an ErrTruncated error
// (a partial last frame is dropped), and Damage tells what was missing.
// Headers that cannot be parsed remain errors.
//
// Placeholder sizes of a stream (0xFFFFFFFF, 0x7FFFFFFF, sox's 0x7FFFF000
// rounded down to whole frames, or sizes 0 on a stream that is not a
// regular file) are not damage: such data is read to its end in either mode.
var Salvage Option = func(o *options) { o.salvage = true }

// OnDamage is Salvage that also calls f with what was missing, once, when
// the reader finds the damage (for functions such as ReadMono that return
// no Reader to ask Damage).
func OnDamage(f func(damage string)) Option {
	return func(o *options) { o.salvage, o.onDamage = true, f }
}

// salvager ends a stream: an ErrTruncated error becomes io.EOF when
// salvaging, and its message is kept as the damage. Readers embed it.
type salvager struct {
	salvage  bool
	damage   string
	onDamage func(string)
}

// end returns the error that ends the stream in place of err.
func (s *salvager) end(err error) error {
	if s.salvage && errors.Is(err, ErrTruncated) {
		s.damaged(err.Error())
		return io.EOF
	}
	return err
}

// damaged records what is missing (the first report wins).
func (s *salvager) damaged(what string) {
	if s.damage == "" {
		s.damage = what
		if s.onDamage != nil {
			s.onDamage(what)
		}
	}
}

// Damage implements the facet read by the package function Damage.
func (s *salvager) Damage() string { return s.damage }

// bufSize is the read buffer of every decoder. It bounds memory use.
const bufSize = 64 << 10

// Open opens the audio file at path and recognises its format (WAV, FLAC or
// MP3) by its first bytes, whatever its extension. The caller must close
// the returned io.Closer once done with the Reader.
func Open(path string, opts ...Option) (Reader, io.Closer, error) {
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
	r, err := newReader(f, filepath.Ext(path), size, opts)
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
func NewReader(r io.Reader, name string, opts ...Option) (Reader, error) {
	return newReader(r, filepath.Ext(name), -1, opts)
}

// newReader sniffs r. If size >= 0, r is an *os.File of that size.
func newReader(r io.Reader, ext string, size int64, opts []Option) (Reader, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	s := salvager{salvage: o.salvage, onDamage: o.onDamage}
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
		return newWAVReader(br, rs, size, s)
	case len(head) >= 4 && string(head[:4]) == "fLaC":
		return newFLACReader(br, s)
	case isMP3Header(head):
		return newMP3Reader(br, false, s)
	case strings.EqualFold(ext, ".mp3") || skipped > 0:
		return newMP3Reader(br, true, s)
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
