// Package audio reads and writes audio files as streams of interleaved
// float32 samples, in constant memory whatever the length of the file.
//
// The whole API is a pair of small interfaces in the spirit of io.Reader:
//
//	type Reader interface {
//		Format() Format                   // rate, channels, source encoding
//		Frames() int64                    // total frames, or -1 if unknown
//		Read(buf []float32) (int, error)  // interleaved samples, io.EOF at end
//	}
//
//	type Writer interface {
//		Write(buf []float32) error        // interleaved samples
//		Close() error                     // finalises headers
//	}
//
// and the functions that make them:
//
//	Open(path string) (Reader, io.Closer, error)          // WAV, FLAC or MP3, by magic bytes
//	NewReader(r io.Reader, name string) (Reader, error)   // the same on a stream such as stdin
//	CreateWAV(w io.Writer, f Format, meta ...Chunk) (*WAVWriter, error)
//	CreateFLAC(w io.Writer, f Format) (*FLACWriter, error)
//
// Two optional facets are reached through helpers that work on any Reader:
// Metadata returns the LIST chunks of a WAV file (pass them to CreateWAV to
// keep them), and NonFinite counts the NaN and ±Inf float samples that were
// replaced by 0.
//
// # Formats
//
// WAV: RIFF, RIFX (big-endian) and RF64; PCM 8/16/24/32-bit, IEEE float 32/64
// and WAVE_FORMAT_EXTENSIBLE, any channel count, chunks in any order. The
// parser is strict: every malformed or truncated input is an error that says
// why, sizes from headers are checked and never used to allocate, and
// compressed WAV codecs (µ-law, A-law, ADPCM, …) are reported by name. The
// Salvage option reads truncated inputs to what they hold instead, and
// Damage tells what was missing. The placeholder sizes of writers that
// cannot seek are read to the end of the stream in either mode.
// FLAC is decoded frame by frame with github.com/mewkiz/flac and encoded with
// its fixed-predictor encoder. MP3 (MPEG-1/2 Layer III; not MPEG 2.5, which
// go-mp3 decodes at the wrong rate) is decoded with
// github.com/hajimehoshi/go-mp3 behind a frame splitter of this package that
// reports a truncated last frame and trims encoder delay and padding when a
// LAME/Xing tag gives them (gapless, sample-exact with ffmpeg). Panics of
// these decoders on corrupt input become ErrMalformed errors. mewkiz/flac
// logs a notice through the standard logger for every frame of a 24 kHz or
// 176.4 kHz stream; opening such a stream installs (once) a filter on the
// standard logger that drops those lines and passes all others.
//
// Memory is constant: readers hold one buffer of at most 64 KiB (plus one
// FLAC frame or one MP3 frame), writers the same. Reading 60 minutes of
// 48 kHz WAV allocates about 250 KiB in total (TestMemoryFlat).
//
// # Errors
//
// Errors never include the file name (callers add it). Errors caused by the
// content of the input wrap one of ErrMalformed, ErrTruncated or
// ErrUnsupported, so callers can tell them from I/O errors with errors.Is.
//
// Resampling lives in the subpackage audio/resample.
package audio
