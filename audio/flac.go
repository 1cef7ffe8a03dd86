package audio

import (
	"bytes"
	"errors"
	"io"
	"log"
	"sync"

	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
)

// flacReader decodes a FLAC stream frame by frame: memory holds one frame
// (at most 65535 samples per channel) whatever the length of the stream.
type flacReader struct {
	s       *flac.Stream
	f       Format
	frames  int64 // from STREAMINFO, -1 if unknown
	cur     *frame.Frame
	pos     int // next sample of cur
	decoded int64
	scale   float32
	err     error
	salvager
}

// newFLACReader parses the FLAC metadata at the start of r.
func newFLACReader(r io.Reader, sv salvager) (*flacReader, error) {
	s, err := newFLACStream(r)
	if err != nil {
		return nil, flacError("FLAC header", err)
	}
	info := s.Info
	fr := &flacReader{s: s, frames: int64(info.NSamples), salvager: sv}
	if info.NSamples == 0 {
		fr.frames = -1 // "unknown" in STREAMINFO
	}
	fr.f = Format{SampleRate: int(info.SampleRate), Channels: int(info.NChannels), Encoding: FLAC, Bits: int(info.BitsPerSample)}
	if err := fr.f.check(); err != nil {
		return nil, err
	}
	if fr.f.Bits < 4 || fr.f.Bits > 32 {
		return nil, malformedf("invalid FLAC bits per sample %d", fr.f.Bits)
	}
	fr.scale = float32(1 / float64(uint64(1)<<(fr.f.Bits-1)))
	if fr.f.SampleRate == 24000 || fr.f.SampleRate == 176400 {
		muteFLACRateNotice()
	}
	return fr, nil
}

// flacRateNotice starts a line that github.com/mewkiz/flac logs through the
// standard logger for every frame of a 24 kHz or 176.4 kHz stream.
const flacRateNotice = "frame.Frame.parseHeader: The flac library test cases do not yet include"

var muteOnce sync.Once

// muteFLACRateNotice makes the standard logger drop mewkiz/flac's notice
// (one line per frame, thousands per file). Other log lines pass through to
// the writer the logger had. It is done once, and only when a stream at one
// of those rates is opened, as it changes the global logger.
func muteFLACRateNotice() {
	muteOnce.Do(func() {
		log.SetOutput(&dropLines{w: log.Writer(), prefix: []byte(flacRateNotice)})
	})
}

// dropLines forwards writes to w except those containing prefix. The
// standard logger writes one whole line per Write.
type dropLines struct {
	w      io.Writer
	prefix []byte
}

func (d *dropLines) Write(p []byte) (int, error) {
	if bytes.Contains(p, d.prefix) {
		return len(p), nil
	}
	return d.w.Write(p)
}

// newFLACStream is flac.New, with panics on corrupt input turned into
// errors.
func newFLACStream(r io.Reader) (s *flac.Stream, err error) {
	defer recoverAs("FLAC header", &err)
	return flac.New(r)
}

// parseNext decodes the next frame, with panics on corrupt input turned
// into errors.
func (r *flacReader) parseNext() (f *frame.Frame, err error) {
	defer recoverAs("FLAC frame", &err)
	return r.s.ParseNext()
}

// flacError classifies an error of the FLAC decoder.
func flacError(what string, err error) error {
	if errors.Is(err, ErrMalformed) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return truncatedf("truncated %s", what)
	}
	return malformedf("corrupt %s: %v", what, err)
}

// Format implements Reader.
func (r *flacReader) Format() Format { return r.f }

// Frames implements Reader.
func (r *flacReader) Frames() int64 { return r.frames }

// Read implements Reader.
func (r *flacReader) Read(buf []float32) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	ch := r.f.Channels
	if err := checkFrames(buf, ch); err != nil {
		return 0, err
	}
	n := 0
	for n+ch <= len(buf) {
		if r.cur == nil || r.pos >= len(r.cur.Subframes[0].Samples) {
			if err := r.next(); err != nil {
				r.err = r.end(err)
				break
			}
			continue
		}
		k := min(len(r.cur.Subframes[0].Samples)-r.pos, (len(buf)-n)/ch)
		for c, sf := range r.cur.Subframes {
			s := sf.Samples[r.pos : r.pos+k]
			for i, v := range s {
				buf[n+i*ch+c] = float32(v) * r.scale
			}
		}
		r.pos += k
		n += k * ch
		r.decoded += int64(k)
	}
	if n == 0 {
		return 0, r.err
	}
	return n, nil
}

// next decodes the next frame into r.cur.
func (r *flacReader) next() error {
	f, err := r.parseNext()
	if err == io.EOF {
		if r.frames >= 0 && r.decoded < r.frames {
			return truncatedf("truncated FLAC data: STREAMINFO declares %d frames, stream ended after %d", r.frames, r.decoded)
		}
		return io.EOF
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return truncatedf("truncated FLAC data: frame cut off after %d samples per channel", r.decoded)
	}
	if err != nil {
		return flacError("FLAC frame", err)
	}
	if len(f.Subframes) != r.f.Channels {
		return malformedf("FLAC frame has %d channels, stream has %d", len(f.Subframes), r.f.Channels)
	}
	if int(f.BitsPerSample) != r.f.Bits {
		return malformedf("FLAC frame has %d bits per sample, stream has %d", f.BitsPerSample, r.f.Bits)
	}
	if f.SampleRate != 0 && int(f.SampleRate) != r.f.SampleRate {
		return unsupportedf("FLAC sample rate changes mid-stream (%d to %d Hz)", r.f.SampleRate, f.SampleRate)
	}
	for _, sf := range f.Subframes {
		if len(sf.Samples) != len(f.Subframes[0].Samples) {
			return malformedf("FLAC subframes of unequal length")
		}
	}
	r.cur, r.pos = f, 0
	return nil
}
