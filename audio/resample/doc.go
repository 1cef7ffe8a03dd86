// Package resample converts the sample rate of interleaved float32 audio
// streams with an exact rational polyphase windowed-sinc (Kaiser) filter,
// in pure Go.
//
// Quality: the filter is designed (Kaiser) for 100 dB of stopband
// attenuation from the lower Nyquist frequency on, with the passband up to
// 0.9 × the lower Nyquist frequency. The tests measure, over the rates the
// CLI uses: passband flat within 0.0001 dB, in-band residual (aliases,
// images, noise) at most −112 dB, tones above the output Nyquist frequency
// at most −104 dB (the requirement is −90 dB).
//
// Usage:
//
//	r, _ := resample.New(48000, 16000, channels)
//	for each block in {
//		out = r.Process(out[:0], in)  // no allocation once out is large enough
//		use(out)
//	}
//	out = r.Flush(out[:0])            // the tail
//
// Output is time-aligned with the input: output frame k is the input
// signal at time k/outRate, and after Flush a stream of N input frames has
// given exactly OutFrames(N) = round(N·outRate/inRate) output frames, so
// callers need no compensation of their own. The price is look-ahead:
// Process emits output for time t only once input up to t + Latency() input
// frames has arrived. Real-time callers can use Latency to size buffers.
//
// Why not libsoxr through github.com/zaf/resample (cgo): it was considered
// and rejected. Its Write allocates C and Go buffers on every call, sizes
// soxr's output buffer as floor(in·ratio) frames and ignores how much input
// soxr consumed (so data can be dropped in streaming use), returns an error
// for chunks too small to yield one output frame (so output depends on
// chunk sizes), frees soxr's static error strings, and needs cgo plus
// libsoxr-dev on every build machine. This package is exact, streams with
// any chunk size (output is bit-identical whatever the chunking), does not
// allocate in steady state and has no system dependency.
package resample
