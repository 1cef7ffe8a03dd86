package audio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// unknownSizes are data chunk sizes that streaming writers put in headers
// they cannot patch later: ffmpeg writes 0xFFFFFFFF, arecord 0x7FFFFFFF
// (sox's placeholder depends on the frame size: see soxPlaceholder). Such
// data runs to the end of the stream.
var unknownSizes = map[uint32]bool{0xFFFFFFFF: true, 0x7FFFFFFF: true}

// soxPlaceholder is the data size sox (and this package's WAVWriter) write
// when the output cannot seek: 0x7FFFF000 rounded down to whole frames of
// blockAlign bytes.
func soxPlaceholder(blockAlign int) uint32 {
	return 0x7FFFF000 / uint32(blockAlign) * uint32(blockAlign)
}

// wavReader streams the samples of a WAV file.
type wavReader struct {
	br       *bufio.Reader
	order    binary.ByteOrder
	f        wavFmt
	dataSize int64 // declared size of the sample data in bytes, -1 if unknown
	consumed int64 // sample bytes read so far
	raw      []byte
	salvager
	meta      []Chunk
	metaBytes int
	nonFinite int64
	err       error // sticky error returned once buffered samples are out
}

// wavHeader tracks the parse of the chunks before the sample data.
type wavHeader struct {
	br      *bufio.Reader
	order   binary.ByteOrder
	size    int64  // file size, -1 if unknown
	riff    uint32 // the RIFF chunk's size field
	off     int64  // offset of the next byte of br
	rf64    bool
	ds64    int64 // data size from the ds64 chunk, -1 if none
	nchunks int
}

// newWAVReader parses the header of the WAV stream in br. If rs is not nil,
// it is the file under br (at offset 0) and size is its size: then chunks
// after the sample data are read too, and sizes are checked against the
// file size before anything is read (when salvaging, a data size beyond
// the end of the file is cut to the file).
func newWAVReader(br *bufio.Reader, rs io.ReadSeeker, size int64, s salvager) (*wavReader, error) {
	h := &wavHeader{br: br, size: size, ds64: -1, order: binary.LittleEndian}
	var riff [12]byte
	if n, err := io.ReadFull(br, riff[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return nil, truncatedf("truncated WAV header: file has only %d bytes", n)
		}
		return nil, err
	}
	h.off = 12
	h.riff = h.order.Uint32(riff[4:8])
	switch string(riff[:4]) {
	case "RIFX":
		h.order = binary.BigEndian
	case "RF64":
		h.rf64 = true
	}
	if string(riff[8:]) != "WAVE" {
		return nil, malformedf("RIFF file is not WAVE (form type %s)", fourCC(riff[8:]))
	}
	r := &wavReader{br: br, order: h.order, dataSize: -1, salvager: s}
	haveFmt := false
	for {
		id, csize, err := h.chunkHeader()
		if err == io.EOF {
			if !haveFmt {
				return nil, truncatedf("truncated WAV header: no fmt chunk")
			}
			return nil, truncatedf("truncated WAV header: no data chunk")
		}
		if err != nil {
			return nil, err
		}
		switch id {
		case "ds64":
			if err := h.readDS64(csize); err != nil {
				return nil, err
			}
		case "fmt ":
			if haveFmt {
				return nil, malformedf("duplicate fmt chunk")
			}
			if csize > maxFmtChunk {
				return nil, malformedf("fmt chunk too large (%d bytes, max %d)", csize, maxFmtChunk)
			}
			body, err := h.body("fmt", csize)
			if err != nil {
				return nil, err
			}
			if r.f, err = parseFmt(body, h.order); err != nil {
				return nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, malformedf("data chunk before fmt chunk")
			}
			if err := r.setDataSize(h, csize); err != nil {
				return nil, err
			}
			if rs != nil && r.dataSize >= 0 {
				if err := r.readTrailing(rs, h.off); err != nil {
					return nil, err
				}
			}
			r.raw = make([]byte, max(bufSize/r.f.blockAlign, 1)*r.f.blockAlign)
			return r, nil
		case "LIST":
			if err := r.listChunk(h, csize); err != nil {
				return nil, err
			}
		default:
			if err := h.skip(id, csize); err != nil {
				return nil, err
			}
		}
	}
}

// setDataSize records the size of the data chunk that starts at h.off.
func (r *wavReader) setDataSize(h *wavHeader, csize uint32) error {
	ba := int64(r.f.blockAlign)
	rest := int64(-1) // bytes from the data to the end of a regular file
	if h.size >= 0 {
		rest = h.size - h.off
	}
	switch {
	case h.rf64 && csize == 0xFFFFFFFF:
		if h.ds64 < 0 {
			return malformedf("RF64 file without ds64 chunk")
		}
		r.dataSize = h.ds64
	case unknownSizes[csize] || (csize == soxPlaceholder(r.f.blockAlign) && (rest < 0 || int64(csize) > rest)):
		r.dataSize = -1 // a streaming writer's placeholder
		return nil
	case csize == 0 && !h.rf64 && (h.riff == 0 || unknownSizes[h.riff] || int64(h.riff)+8 <= h.off) && rest != 0:
		// Neither size says there is anything after the data header: on a
		// stream a placeholder, in a file sizes never written.
		if rest > 0 {
			err := truncatedf("WAV sizes were never written (0, as a recorder that crashed leaves them) but the file has %d bytes of samples", rest)
			if !r.salvage {
				return err
			}
			r.damaged(fmt.Sprintf("WAV sizes were never written (0, as a recorder that crashed leaves them): read the %d bytes to the end of the file", rest))
			r.dataSize = rest / ba * ba // whole frames: Frames is known
			return nil
		}
		r.dataSize = -1
		return nil
	default:
		r.dataSize = int64(csize)
	}
	if r.dataSize%ba != 0 {
		return malformedf("data chunk size %d is not a multiple of the frame size %d", r.dataSize, r.f.blockAlign)
	}
	if rest >= 0 && r.dataSize > rest {
		err := truncatedf("truncated WAV data: header declares %d bytes of samples, file has %d", r.dataSize, rest)
		if !r.salvage {
			return err
		}
		r.damaged(err.Error())
		r.dataSize = rest / ba * ba
	}
	return nil
}

// chunkHeader reads the next chunk ID and size. It returns io.EOF at a
// clean end of stream.
func (h *wavHeader) chunkHeader() (string, uint32, error) {
	var b [8]byte
	n, err := io.ReadFull(h.br, b[:])
	if err == io.EOF {
		return "", 0, io.EOF
	}
	if err == io.ErrUnexpectedEOF {
		return "", 0, truncatedf("truncated WAV header: chunk header cut off after %d bytes", n)
	}
	if err != nil {
		return "", 0, err
	}
	if !validID(b[:4]) {
		return "", 0, malformedf("invalid chunk ID %s at offset %d", fourCC(b[:4]), h.off)
	}
	if h.rf64 && h.nchunks == 0 && string(b[:4]) != "ds64" {
		return "", 0, malformedf("RF64 file does not start with a ds64 chunk")
	}
	if !h.rf64 && string(b[:4]) == "ds64" {
		return "", 0, malformedf("ds64 chunk in a RIFF file")
	}
	h.nchunks++
	h.off += 8
	return string(b[:4]), h.order.Uint32(b[4:]), nil
}

// body reads a whole chunk body (and pad byte) of at most maxMetaChunk bytes.
func (h *wavHeader) body(name string, csize uint32) ([]byte, error) {
	if err := h.fits(name, csize); err != nil {
		return nil, err
	}
	// Grow with the data actually read, not with the declared size.
	var b bytes.Buffer
	if n, err := io.CopyN(&b, h.br, int64(csize)); err != nil {
		if err == io.EOF {
			return nil, truncatedf("truncated WAV header: %s chunk declares %d bytes, file has %d", name, csize, n)
		}
		return nil, err
	}
	h.off += int64(csize)
	return b.Bytes(), h.pad(csize)
}

// skip discards a chunk body (and pad byte).
func (h *wavHeader) skip(id string, csize uint32) error {
	if err := h.fits(id, csize); err != nil {
		return err
	}
	n, err := io.CopyN(io.Discard, h.br, int64(csize))
	if err != nil {
		if err == io.EOF {
			return truncatedf("truncated WAV header: %s chunk declares %d bytes, file has %d", id, csize, n)
		}
		return err
	}
	h.off += int64(csize)
	return h.pad(csize)
}

// fits checks a chunk size against the file size when it is known.
func (h *wavHeader) fits(name string, csize uint32) error {
	if h.size >= 0 && h.off+int64(csize) > h.size {
		return truncatedf("truncated WAV header: %s chunk declares %d bytes, file has %d", name, csize, h.size-h.off)
	}
	return nil
}

// pad consumes the pad byte after an odd-sized chunk. Some writers omit it:
// when the byte after the chunk is not zero but starts a plausible chunk
// ID, it is left alone.
func (h *wavHeader) pad(csize uint32) error {
	if csize%2 == 0 {
		return nil
	}
	b, _ := h.br.Peek(5)
	switch {
	case len(b) == 0:
		return nil // missing pad byte at the very end
	case b[0] != 0 && len(b) == 5 && validID(b[:4]) && !validID(b[1:5]):
		return nil
	}
	h.br.Discard(1)
	h.off++
	return nil
}

// readDS64 parses the RF64 size chunk.
func (h *wavHeader) readDS64(csize uint32) error {
	if csize < 28 || csize > maxFmtChunk {
		return malformedf("invalid ds64 chunk size %d", csize)
	}
	b, err := h.body("ds64", csize)
	if err != nil {
		return err
	}
	d := h.order.Uint64(b[8:])
	if d > 1<<62 {
		return malformedf("absurd RF64 data size %d", d)
	}
	h.ds64 = int64(d)
	return nil
}

// listChunk keeps a LIST chunk as metadata, or skips it when it is too
// large or an associated-data list (whose cue points would be stale).
func (r *wavReader) listChunk(h *wavHeader, csize uint32) error {
	if csize < 4 || csize > maxMetaChunk || r.metaBytes+int(csize) > maxMetaTotal {
		return h.skip("LIST", csize)
	}
	b, err := h.body("LIST", csize)
	if err != nil {
		return err
	}
	if string(b[:4]) != "adtl" {
		r.meta = append(r.meta, Chunk{ID: "LIST", Data: b})
		r.metaBytes += len(b)
	}
	return nil
}

// readTrailing collects LIST chunks after the sample data, which starts at
// offset dataOff of rs, then positions r.br back at dataOff. Anything odd
// after the data ends the scan without error: the samples are intact.
func (r *wavReader) readTrailing(rs io.ReadSeeker, dataOff int64) error {
	end := dataOff + r.dataSize + r.dataSize%2
	h := &wavHeader{order: r.order, size: -1, ds64: -1, off: end, nchunks: 1}
	if _, err := rs.Seek(end, io.SeekStart); err != nil {
		return err
	}
	h.br = bufio.NewReaderSize(rs, 4096)
	for i := 0; i < 1024; i++ {
		id, csize, err := h.chunkHeader()
		if err != nil {
			break
		}
		if id == "LIST" {
			err = r.listChunk(h, csize)
		} else {
			err = h.skip(id, csize)
		}
		if err != nil {
			break
		}
	}
	if _, err := rs.Seek(dataOff, io.SeekStart); err != nil {
		return err
	}
	r.br.Reset(rs)
	return nil
}

// Format implements Reader.
func (r *wavReader) Format() Format { return r.f.format }

// Frames implements Reader.
func (r *wavReader) Frames() int64 {
	if r.dataSize < 0 {
		return -1
	}
	return r.dataSize / int64(r.f.blockAlign)
}

// Metadata returns the LIST chunks of the file.
func (r *wavReader) Metadata() []Chunk { return r.meta }

// NonFinite returns the number of NaN/Inf samples replaced by 0 so far.
func (r *wavReader) NonFinite() int64 { return r.nonFinite }

// Read implements Reader.
func (r *wavReader) Read(buf []float32) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	ch := r.f.format.Channels
	if err := checkFrames(buf, ch); err != nil {
		return 0, err
	}
	ba := int64(r.f.blockAlign)
	want := min(int64(len(buf)/ch)*ba, int64(len(r.raw)))
	if r.dataSize >= 0 {
		want = min(want, r.dataSize-r.consumed)
		if want == 0 {
			r.err = io.EOF
			return 0, io.EOF
		}
	}
	got, err := io.ReadFull(r.br, r.raw[:want])
	r.consumed += int64(got)
	switch {
	case err == nil:
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		if r.dataSize >= 0 {
			r.err = r.end(truncatedf("truncated WAV data: header declares %d bytes of samples, stream ended after %d", r.dataSize, r.consumed))
		} else if rest := got % int(ba); rest != 0 {
			r.err = r.end(truncatedf("truncated WAV data: last frame has %d of %d bytes", rest, ba))
		} else {
			r.err = io.EOF
		}
	default:
		r.err = err
	}
	frames := got / int(ba)
	n := frames * ch
	r.nonFinite += int64(decodePCM(buf[:n], r.raw[:frames*int(ba)], r.f, r.order))
	if n == 0 {
		return 0, r.err
	}
	return n, nil
}
