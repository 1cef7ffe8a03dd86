package audio

import (
	"errors"
	"fmt"
)

// Encoding is how samples are stored in a file.
type Encoding int

// Encodings of a Format. PCMn are signed integer PCM (PCM8 is unsigned in
// WAV files, as the format requires), Float32 and Float64 are IEEE floats,
// FLAC and MP3 are the compressed codecs.
const (
	EncodingUnknown Encoding = iota
	PCM8
	PCM16
	PCM24
	PCM32
	Float32
	Float64
	FLAC
	MP3
)

var encodingNames = [...]string{"unknown", "PCM8", "PCM16", "PCM24", "PCM32", "Float32", "Float64", "FLAC", "MP3"}

// String returns the encoding's name, such as "PCM16".
func (e Encoding) String() string {
	if e < 0 || int(e) >= len(encodingNames) {
		return fmt.Sprintf("Encoding(%d)", int(e))
	}
	return encodingNames[e]
}

// Format describes a stream of samples.
type Format struct {
	// SampleRate is in frames per second.
	SampleRate int
	// Channels is the number of interleaved channels.
	Channels int
	// Encoding is how the source stores samples (or how a writer will).
	Encoding Encoding
	// Bits is the number of significant bits per sample of the source
	// (e.g. 16 for PCM16, 20 for 20-bit PCM in a 24-bit container, 24 for a
	// 24-bit FLAC, 32 for Float32; 16 for MP3).
	Bits int
}

// String formats f like "48000 Hz, 2 ch, PCM16".
func (f Format) String() string {
	return fmt.Sprintf("%d Hz, %d ch, %v", f.SampleRate, f.Channels, f.Encoding)
}

// Limits applied to headers. They reject absurd values before anything is
// allocated.
const (
	// MaxChannels is the largest channel count accepted.
	MaxChannels = 256
	// MaxSampleRate is the largest sample rate accepted, in Hz.
	MaxSampleRate = 1 << 22
)

func (f Format) check() error {
	switch {
	case f.Channels <= 0:
		return malformedf("zero channels")
	case f.Channels > MaxChannels:
		return malformedf("absurd channel count %d (max %d)", f.Channels, MaxChannels)
	case f.SampleRate <= 0:
		return malformedf("zero sample rate")
	case f.SampleRate > MaxSampleRate:
		return malformedf("absurd sample rate %d Hz (max %d)", f.SampleRate, MaxSampleRate)
	}
	return nil
}

// Sentinel errors wrapped by every error caused by the content of an input.
var (
	// ErrMalformed marks input that breaks its format's rules.
	ErrMalformed = errors.New("malformed audio")
	// ErrTruncated marks input that ends before its headers say it should.
	ErrTruncated = errors.New("truncated audio")
	// ErrUnsupported marks valid input that this package cannot decode.
	ErrUnsupported = errors.New("unsupported audio")
)

// contentError is an error about the input's content; Msg is the whole
// message and Kind is one of the sentinels above.
type contentError struct {
	Kind error
	Msg  string
}

func (e *contentError) Error() string { return e.Msg }
func (e *contentError) Unwrap() error { return e.Kind }

func malformedf(format string, args ...any) error {
	return &contentError{ErrMalformed, fmt.Sprintf(format, args...)}
}

func truncatedf(format string, args ...any) error {
	return &contentError{ErrTruncated, fmt.Sprintf(format, args...)}
}

func unsupportedf(format string, args ...any) error {
	return &contentError{ErrUnsupported, fmt.Sprintf(format, args...)}
}

// recoverAs turns a panic of a third-party decoder on corrupt input into an
// error in *err. Use as defer recoverAs("FLAC frame", &err).
func recoverAs(what string, err *error) {
	if p := recover(); p != nil {
		*err = malformedf("corrupt %s (decoder failed: %v)", what, p)
	}
}
