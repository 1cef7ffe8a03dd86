package audio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"

	mp3 "github.com/hajimehoshi/go-mp3"
)

// mp3Reader decodes MPEG-1/2 Layer III with github.com/hajimehoshi/go-mp3,
// which always yields 16-bit stereo; mono streams are reduced back to one
// channel. The decoder reads from an mp3Splitter, so it sees whole frames
// only and never scans or seeks the source: memory is constant.
//
// When the stream starts with a LAME (or ffmpeg) Xing/Info frame, output is
// gapless: the encoder delay plus the decoder's 529-sample delay are cut
// from the start, the padding from the end, and Frames is exact. Without
// one, Frames is -1 and output includes those delays, as most decoders do.
type mp3Reader struct {
	d       *mp3.Decoder
	split   *mp3Splitter
	f       Format
	raw     []byte
	skip    int64 // decoded frames still to drop at the start
	total   int64 // frames to emit, -1 if unknown
	emitted int64
	err     error
	salvager
}

// mp3DecoderDelay is the delay of the MP3 synthesis filterbank, in samples;
// gapless decoders skip it on top of the encoder delay.
const mp3DecoderDelay = 529

// newMP3Reader starts decoding the MP3 stream in br. If resync, junk before
// the first frame is skipped (up to 64 KiB).
func newMP3Reader(br *bufio.Reader, resync bool, sv salvager) (*mp3Reader, error) {
	s := &mp3Splitter{br: br}
	h, err := s.findFirst(resync)
	if err != nil {
		return nil, err
	}
	switch {
	case h.layer != 3:
		return nil, unsupportedf("unsupported MPEG audio layer %d (only Layer III, MP3)", h.layer)
	case h.version == 25:
		return nil, unsupportedf("unsupported MPEG 2.5 MP3 (%d Hz)", h.rate)
	case h.bitrate == 0:
		return nil, unsupportedf("unsupported free-format MP3")
	}
	s.first = h
	r := &mp3Reader{
		split:    s,
		f:        Format{SampleRate: h.rate, Channels: h.channels, Encoding: MP3, Bits: 16},
		raw:      make([]byte, bufSize),
		total:    -1,
		salvager: sv,
	}
	xing, err := s.infoFrame()
	if err != nil {
		return nil, err
	}
	if xing.lame && xing.frames > 0 {
		r.skip = int64(xing.delay) + mp3DecoderDelay
		r.total = max(int64(xing.frames)*int64(h.samples())-int64(xing.delay)-int64(xing.padding), 0)
	}
	r.d, err = newMP3Decoder(s)
	if err != nil {
		if s.err != nil {
			return nil, s.err
		}
		if err == io.EOF {
			return nil, truncatedf("MP3 stream has no audio frames")
		}
		if errors.Is(err, ErrMalformed) {
			return nil, err
		}
		return nil, malformedf("corrupt MP3 data: %v", err)
	}
	if r.d.SampleRate() != h.rate {
		return nil, malformedf("MP3 decoder rate %d Hz differs from header %d Hz", r.d.SampleRate(), h.rate)
	}
	return r, nil
}

// Format implements Reader.
func (r *mp3Reader) Format() Format { return r.f }

// Frames implements Reader: exact with a LAME tag, else -1.
func (r *mp3Reader) Frames() int64 { return r.total }

// Read implements Reader.
func (r *mp3Reader) Read(buf []float32) (int, error) {
	ch := r.f.Channels
	if err := checkFrames(buf, ch); err != nil {
		return 0, err
	}
	for r.err == nil {
		frames := int64(min(len(buf)/ch, len(r.raw)/4))
		if r.total >= 0 {
			frames = min(frames, r.total-r.emitted+r.skip)
			if frames == 0 {
				r.err = io.EOF
				break
			}
		}
		got, err := r.decode(r.raw[:4*frames])
		start := min(int64(got/4), r.skip)
		r.skip -= start
		n := got/4 - int(start)
		raw := r.raw[4*start:]
		for i := 0; i < n; i++ {
			for c := 0; c < ch; c++ {
				buf[i*ch+c] = float32(int16(binary.LittleEndian.Uint16(raw[4*i+2*c:]))) * (1.0 / 32768)
			}
		}
		r.emitted += int64(n)
		if err != nil {
			r.err = r.end(err)
			if r.err == io.EOF && r.total > r.emitted && n < len(buf)/ch {
				// The LAME tag counts a few samples of the last frame's
				// overlap that the decoder does not flush: give zeros.
				k := min(int(r.total-r.emitted), len(buf)/ch-n)
				clear(buf[n*ch : (n+k)*ch])
				n += k
				r.emitted += int64(k)
			}
			r.err = r.salvager.end(r.err)
		}
		if n > 0 {
			return n * ch, nil
		}
	}
	return 0, r.err
}

// newMP3Decoder is mp3.NewDecoder, with its panics on corrupt input
// turned into errors.
func newMP3Decoder(s *mp3Splitter) (d *mp3.Decoder, err error) {
	defer recoverAs("MP3 data", &err)
	return mp3.NewDecoder(s)
}

// decode reads decoded bytes into p, with the decoder's panics on corrupt
// input turned into errors.
func (r *mp3Reader) decode(p []byte) (n int, err error) {
	defer recoverAs("MP3 data", &err)
	return io.ReadAtLeast(r.d, p, 4)
}

// end classifies the error that ended decoding.
func (r *mp3Reader) end(err error) error {
	switch {
	case r.split.err != nil:
		return r.split.err
	case errors.Is(err, ErrMalformed):
		return err
	case err != io.EOF && err != io.ErrUnexpectedEOF:
		return malformedf("corrupt MP3 data: %v", err)
	case r.total >= 0 && r.total-r.emitted > mp3DecoderDelay:
		return truncatedf("truncated MP3 data: LAME tag declares %d samples per channel, stream has %d", r.total, r.emitted)
	}
	return io.EOF
}

// mp3Header is a parsed MPEG audio frame header.
type mp3Header struct {
	version  int // 1, 2 or 25 (2.5)
	layer    int // 1, 2 or 3
	bitrate  int // bits per second, 0 for free format
	rate     int // Hz
	channels int
	size     int // frame size in bytes (Layer III), 0 for free format
	crc      bool
}

var (
	mp3Bitrates1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1}
	mp3Bitrates2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1}
	mp3Rates     = [4]int{44100, 48000, 32000, -1}
)

// isMP3Header reports whether b starts with a valid MPEG audio frame header.
func isMP3Header(b []byte) bool {
	_, ok := parseMP3Header(b)
	return ok
}

// parseMP3Header parses the 4-byte frame header at the start of b. Frame
// sizes are exact for Layer III only, the one layer decoded.
func parseMP3Header(b []byte) (mp3Header, bool) {
	var h mp3Header
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return h, false
	}
	switch (b[1] >> 3) & 3 {
	case 0:
		h.version = 25
	case 2:
		h.version = 2
	case 3:
		h.version = 1
	default:
		return h, false
	}
	h.layer = 4 - int((b[1]>>1)&3)
	if h.layer == 4 {
		return h, false
	}
	h.crc = b[1]&1 == 0
	bi, ri := b[2]>>4, (b[2]>>2)&3
	if bi == 15 || ri == 3 || b[3]&3 == 2 {
		return h, false
	}
	h.rate = mp3Rates[ri]
	coef := 144
	if h.version == 1 {
		h.bitrate = mp3Bitrates1[bi] * 1000
	} else {
		h.bitrate = mp3Bitrates2[bi] * 1000
		h.rate /= 2
		coef = 72
		if h.version == 25 {
			h.rate /= 2
		}
	}
	h.channels = 2
	if b[3]>>6 == 3 {
		h.channels = 1
	}
	if h.bitrate > 0 {
		h.size = coef*h.bitrate/h.rate + int(b[2]>>1&1)
	}
	return h, true
}

// sameStream reports whether h can belong to the stream that started with
// first (guards against false syncs in junk).
func (h mp3Header) sameStream(first mp3Header) bool {
	return h.version == first.version && h.layer == first.layer && h.rate == first.rate && h.bitrate > 0
}

// maxMP3Frame bounds a Layer III frame: 144*320000/32000+1 bytes.
const maxMP3Frame = 1441

// mp3Splitter hands whole MP3 frames to the decoder and drops everything
// else (tags, junk). A last frame cut short is reported in err instead of
// being passed on, so truncation is an error and not silence.
type mp3Splitter struct {
	br    *bufio.Reader
	first mp3Header
	frame [maxMP3Frame]byte
	n     int // bytes in frame
	pos   int // bytes of frame handed out
	err   error
	eof   bool
}

// findFirst locates the first frame header. Unless resync, it must be at the
// start of br. A header counts when the next frame's header follows it (or
// the stream ends there).
func (s *mp3Splitter) findFirst(resync bool) (mp3Header, error) {
	const window = 64 << 10
	for skipped := 0; ; skipped++ {
		b, err := s.br.Peek(4)
		if len(b) < 4 {
			if err != nil && err != io.EOF {
				return mp3Header{}, err
			}
			return mp3Header{}, malformedf("no MP3 frame found")
		}
		h, ok := parseMP3Header(b)
		if ok && h.size > 0 {
			nb, _ := s.br.Peek(h.size + 4)
			if len(nb) < h.size+4 {
				return h, nil // one frame, or a truncated one: Read will tell
			}
			if h2, ok := parseMP3Header(nb[h.size:]); ok && h2.sameStream(h) {
				return h, nil
			}
		} else if ok && !resync {
			return h, nil // unsupported free format or layer: caller says why
		}
		if !resync || skipped >= window {
			return mp3Header{}, malformedf("no MP3 frame found at the start of the stream")
		}
		s.br.Discard(1)
	}
}

// xingInfo is what a leading Xing/Info frame tells.
type xingInfo struct {
	frames         uint32 // audio frames in the stream, 0 if not given
	lame           bool   // a LAME/ffmpeg extension with delay and padding follows
	delay, padding int    // encoder delay and end padding, in samples
}

// samples returns the samples per channel in a frame.
func (h mp3Header) samples() int {
	if h.version == 1 {
		return 1152
	}
	return 576
}

// infoFrame parses and drops a leading Xing/Info frame, which carries no
// audio and would otherwise decode as a frame of silence.
func (s *mp3Splitter) infoFrame() (xingInfo, error) {
	var x xingInfo
	h := s.first
	side := 32
	switch {
	case h.version == 1 && h.channels == 1:
		side = 17
	case h.version != 1 && h.channels == 2:
		side = 17
	case h.version != 1:
		side = 9
	}
	off := 4 + side
	if h.crc {
		off += 2
	}
	b, _ := s.br.Peek(h.size)
	if len(b) < off+8 || (string(b[off:off+4]) != "Xing" && string(b[off:off+4]) != "Info") {
		return x, nil
	}
	flags := binary.BigEndian.Uint32(b[off+4:])
	p := off + 8
	if flags&1 != 0 && len(b) >= p+4 {
		x.frames = binary.BigEndian.Uint32(b[p:])
		p += 4
	}
	if flags&2 != 0 {
		p += 4
	}
	if flags&4 != 0 {
		p += 100
	}
	if flags&8 != 0 {
		p += 4
	}
	// LAME extension: 9-byte encoder string, then delay and padding at +21.
	if len(b) >= p+24 && (string(b[p:p+4]) == "LAME" || string(b[p:p+4]) == "Lavc" || string(b[p:p+4]) == "Lavf") {
		d := b[p+21:]
		x.lame = true
		x.delay = int(d[0])<<4 | int(d[1])>>4
		x.padding = int(d[1]&0x0F)<<8 | int(d[2])
	}
	if _, err := s.br.Discard(h.size); err != nil {
		return x, truncatedf("truncated MP3 data: Xing frame cut off")
	}
	return x, nil
}

// Read implements io.Reader for the decoder.
func (s *mp3Splitter) Read(p []byte) (int, error) {
	if s.pos == s.n {
		if s.eof {
			return 0, io.EOF
		}
		if err := s.next(); err != nil {
			s.eof = true
			if err != io.EOF {
				s.err = err
			}
			return 0, io.EOF
		}
	}
	n := copy(p, s.frame[s.pos:s.n])
	s.pos += n
	return n, nil
}

// next reads the next whole frame into s.frame, skipping junk and tags.
func (s *mp3Splitter) next() error {
	for {
		b, err := s.br.Peek(4)
		if len(b) < 4 {
			if err != nil && err != io.EOF {
				return err
			}
			return io.EOF // up to 3 bytes of trailing junk
		}
		if h, ok := parseMP3Header(b); ok && h.sameStream(s.first) {
			n, err := io.ReadFull(s.br, s.frame[:h.size])
			if err == io.ErrUnexpectedEOF {
				return truncatedf("truncated MP3 data: last frame has %d of %d bytes", n, h.size)
			}
			if err != nil {
				return err
			}
			s.n, s.pos = h.size, 0
			return nil
		}
		if string(b[:3]) == "TAG" {
			// ID3v1 tag: 128 bytes, normally at the very end.
			if _, err := s.br.Discard(128); err != nil {
				return io.EOF
			}
			continue
		}
		// Junk: skip to the next 0xFF byte.
		buf, _ := s.br.Peek(s.br.Buffered())
		skip := 1
		for skip < len(buf) && buf[skip] != 0xFF {
			skip++
		}
		if _, err := s.br.Discard(skip); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
}
