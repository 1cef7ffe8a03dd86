package audio

import (
	"errors"
	"io"
)

// ReadMono reads at most maxSec seconds of the file at path (all of it when
// maxSec is +Inf) into memory, averaging the channels, and returns the
// samples and the sample rate. It is for whole-signal work (training data,
// metrics); streaming work uses Open. opts are those of Open (OnDamage
// salvages a damaged file and tells what was missing).
func ReadMono(path string, maxSec float64, opts ...Option) ([]float32, int, error) {
	r, closer, err := Open(path, opts...)
	if err != nil {
		return nil, 0, err
	}
	defer closer.Close()
	f := r.Format()
	maxFrames := int64(1<<63 - 1)
	if maxSec < float64(maxFrames)/float64(f.SampleRate) {
		maxFrames = int64(maxSec * float64(f.SampleRate))
	}
	var x []float32
	if n := r.Frames(); n > 0 {
		x = make([]float32, 0, min(n, maxFrames, 1<<26))
	}
	buf := make([]float32, 4096*f.Channels)
	inv := 1 / float32(f.Channels)
	for int64(len(x)) < maxFrames {
		n, err := r.Read(buf)
		for i := 0; i+f.Channels <= n; i += f.Channels {
			var s float32
			for c := 0; c < f.Channels; c++ {
				s += buf[i+c]
			}
			x = append(x, s*inv)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
	}
	if len(x) == 0 {
		return nil, 0, errors.New("no audio samples")
	}
	return x[:min(int64(len(x)), maxFrames)], f.SampleRate, nil
}
