package resample

import (
	"fmt"
	"slices"

	"github.com/ghostrnn/ghostrnn/internal/vec32"
)

// Resampler converts one interleaved stream from one rate to another. It is
// not safe for concurrent use.
type Resampler struct {
	in, out  int // rates
	ch       int
	l, m     int // out/g, in/g: output k is at input time k*m/l
	mq, mr   int // m = mq*l + mr: per output, base advances mq (+1 on phase wrap)
	taps     int
	half     int // taps/2: look-ahead in input frames
	coefs    []float32
	hist     [][]float32 // per channel, input frames from histStart on
	histBase int64       // absolute input frame of hist[c][0]
	nIn      int64       // input frames received
	base     int64       // floor(k*m/l) for the next output k
	phase    int         // (k*m) mod l
	nOut     int64       // output frames emitted
}

// New returns a Resampler from inRate to outRate Hz for channels
// interleaved channels. Any positive rates work whose reduced ratio keeps
// the filter table under MaxCoefficients (all the usual rates do: 8000,
// 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 192000).
// Equal rates give a pass-through.
func New(inRate, outRate, channels int) (*Resampler, error) {
	if inRate <= 0 || outRate <= 0 {
		return nil, fmt.Errorf("resample: invalid rates %d → %d Hz", inRate, outRate)
	}
	if channels <= 0 {
		return nil, fmt.Errorf("resample: invalid channel count %d", channels)
	}
	g := gcd(inRate, outRate)
	r := &Resampler{in: inRate, out: outRate, ch: channels, l: outRate / g, m: inRate / g}
	r.hist = make([][]float32, channels)
	if r.l == r.m {
		return r, nil
	}
	taps, beta := design(inRate, outRate)
	if int64(r.l)*int64(taps) > MaxCoefficients {
		return nil, fmt.Errorf("resample: ratio %d/%d needs a %d-phase filter, too large (pick a rate with a simpler ratio)", r.l, r.m, r.l)
	}
	r.taps, r.half = taps, taps/2
	r.mq, r.mr = r.m/r.l, r.m%r.l
	r.coefs = table(inRate, outRate, r.l, taps, beta)
	r.Reset()
	return r, nil
}

// Reset discards all state so that r can start a new stream.
func (r *Resampler) Reset() {
	r.nIn, r.base, r.phase, r.nOut = 0, 0, 0, 0
	// Zeros stand for the input before the stream started.
	r.histBase = -int64(r.half - 1)
	for c := range r.hist {
		r.hist[c] = append(r.hist[c][:0], make([]float32, max(r.half-1, 0))...)
	}
}

// Latency is the look-ahead in input frames: output for input time t is
// emitted once input frame floor(t)+Latency() has arrived. It is 0 for
// equal rates. In output frames it is Latency()·outRate/inRate.
func (r *Resampler) Latency() int { return r.half }

// OutFrames returns the number of output frames that n input frames give
// once flushed: round(n·outRate/inRate).
func (r *Resampler) OutFrames(n int64) int64 {
	return (2*n*int64(r.l) + int64(r.m)) / (2 * int64(r.m))
}

// Process resamples the interleaved frames of src and appends the output
// frames it can compute so far to dst, returning the extended slice. It
// does not allocate once dst and the internal history have grown to their
// steady sizes (call it as out = r.Process(out[:0], in)). len(src) must be
// a multiple of the channel count; Process panics otherwise.
func (r *Resampler) Process(dst, src []float32) []float32 {
	if len(src)%r.ch != 0 {
		panic(fmt.Sprintf("resample: Process of %d samples is not a whole number of %d-channel frames", len(src), r.ch))
	}
	if r.l == r.m {
		r.nIn += int64(len(src) / r.ch)
		r.nOut = r.nIn
		return append(dst, src...)
	}
	r.appendInput(src)
	return r.emit(dst, r.nIn)
}

// Flush completes the stream: it appends the remaining output frames to dst
// (padding the input with zeros), so that the stream has given exactly
// OutFrames(input frames) frames, then resets r for a new stream.
func (r *Resampler) Flush(dst []float32) []float32 {
	if r.l != r.m {
		dst = r.emitUntil(dst, r.OutFrames(r.nIn))
	}
	r.Reset()
	return dst
}

// appendInput de-interleaves src into the history, after dropping the
// frames no future output needs.
func (r *Resampler) appendInput(src []float32) {
	frames := len(src) / r.ch
	// First frame still needed: base-half+1.
	drop := int(r.base - int64(r.half) + 1 - r.histBase)
	if n := len(r.hist[0]); drop > 0 && (drop >= n/2 || cap(r.hist[0])-n < frames) {
		drop = min(drop, n)
		for c := range r.hist {
			h := r.hist[c]
			r.hist[c] = h[:copy(h, h[drop:])]
		}
		r.histBase += int64(drop)
	}
	for c := range r.hist {
		h := slices.Grow(r.hist[c], frames)
		for i := c; i < len(src); i += r.ch {
			h = append(h, src[i])
		}
		r.hist[c] = h
	}
	r.nIn += int64(frames)
}

// emit appends every output whose look-ahead is within the first avail
// input frames.
func (r *Resampler) emit(dst []float32, avail int64) []float32 {
	// Output k needs input frames up to base+half; count how many qualify.
	limit := avail - int64(r.half) // base must be < limit
	if r.base >= limit {
		return dst
	}
	// Outputs with base < limit: k < ceil(limit*l/m) (from k*m/l < limit).
	kEnd := (limit*int64(r.l) + int64(r.m) - 1) / int64(r.m)
	return r.emitUntil(dst, kEnd)
}

// emitUntil appends outputs up to (not including) output frame kEnd,
// padding the history with zeros if they need input not received.
func (r *Resampler) emitUntil(dst []float32, kEnd int64) []float32 {
	n := int(kEnd - r.nOut)
	if n <= 0 {
		return dst
	}
	// Last needed frame: floor((kEnd-1)*m/l)+half.
	lastBase := ((kEnd - 1) * int64(r.m)) / int64(r.l)
	if need := lastBase + int64(r.half) + 1 - (r.histBase + int64(len(r.hist[0]))); need > 0 {
		for c := range r.hist {
			r.hist[c] = append(r.hist[c], make([]float32, need)...)
		}
	}
	dst = slices.Grow(dst, n*r.ch)
	at := len(dst)
	dst = dst[:at+n*r.ch]
	// Output k+1 is at input time (k·m + m)/l: with phase = k·m mod l and
	// m = mq·l + mr, base grows by mq, plus one when phase + mr wraps past l.
	for i := 0; i < n; i++ {
		off := int(r.base - int64(r.half) + 1 - r.histBase)
		if r.phase == 0 && r.m == 1 && r.ch == 1 && n-i >= r.l {
			// Integer upsampling, mono: the next l outputs are phases
			// 0 … l−1 of one history window, the whole table times it.
			// Each row is summed as dot sums it, so the output does not
			// depend on which path computed it.
			y := dst[at : at+r.l]
			clear(y)
			vec32.MulVecAdd(y, r.coefs, r.hist[0][off:off+r.taps])
			at += r.l
			i += r.l - 1
			r.base++
			continue
		}
		c0 := r.coefs[r.phase*r.taps : (r.phase+1)*r.taps]
		for c, h := range r.hist {
			dst[at+c] = dot(c0, h[off:off+r.taps])
		}
		at += r.ch
		r.base += int64(r.mq)
		if r.phase += r.mr; r.phase >= r.l {
			r.phase -= r.l
			r.base++
		}
	}
	r.nOut = kEnd
	return dst
}

// dot returns the inner product of the filter phase coef and the history
// window h (len(h) >= len(coef)). vec32.Dot sums in an order fixed by the
// length alone, so output never depends on where the history happens to sit
// in memory or on how the stream was chunked.
func dot(coef, h []float32) float32 { return vec32.Dot(coef, h) }

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
