package enhancer

import (
	"fmt"

	"github.com/ghostrnn/ghostrnn/dsp"
)

// Framing is the time–frequency grid a model runs on: its sample rate, its
// STFT window N and hop H (N = 2H, K = N/2 + 1 bins, spaced Rate/N Hz apart),
// and D frames of look-ahead. The model's gains for the frame read at time t
// apply to frame t − D, so the output lags the input by
//
//	latency = N − H + D·H samples
//
// It is the one place a model's rate lives: the engine, the feature skip's
// band map and training all take it from here.
type Framing struct {
	Rate      int // samples per second
	Window    int // N, window and FFT length in samples
	Hop       int // H, samples per frame; N = 2H
	Lookahead int // D, frames the gains read past the frame they apply to
}

// DefaultFraming is dsp's default STFT (16 kHz, 20 ms window, 10 ms hop) with
// one frame of look-ahead.
var DefaultFraming = FramingOf(dsp.DefaultConfig, 1)

// FramingOf returns the framing of STFT c with d frames of look-ahead.
func FramingOf(c dsp.Config, d int) Framing {
	return Framing{Rate: c.SampleRate, Window: c.Window, Hop: c.Hop, Lookahead: d}
}

// STFT returns the framing's analysis/synthesis configuration.
func (f Framing) STFT() dsp.Config {
	return dsp.Config{SampleRate: f.Rate, Window: f.Window, Hop: f.Hop}
}

// Latency returns N − H + D·H, the algorithmic delay in samples at Rate.
func (f Framing) Latency() int { return f.Window - f.Hop + f.Lookahead*f.Hop }

// Validate reports whether the framing is usable: a positive rate, N = 2H
// with H > 0, and 0 ≤ D ≤ MaxLookahead.
func (f Framing) Validate() error {
	if err := f.STFT().Validate(); err != nil {
		return err
	}
	if f.Lookahead < 0 || f.Lookahead > MaxLookahead {
		return fmt.Errorf("look-ahead %d frames must be in 0 … %d", f.Lookahead, MaxLookahead)
	}
	return nil
}

// At returns the framing scaled to rate r: the same window and hop durations
// (N' = N·r/Rate, H' = H·r/Rate), so the bins keep their spacing Rate/N Hz and
// bins 0 … N/2 of the scaled STFT are exactly the model's. ok is false where
// that grid does not exist in whole samples or r is below the model's rate;
// such rates are resampled to Rate instead.
func (f Framing) At(r int) (g Framing, ok bool) {
	if r < f.Rate || f.Rate <= 0 || (r*f.Hop)%f.Rate != 0 {
		return f, false
	}
	h := r * f.Hop / f.Rate
	return Framing{Rate: r, Window: 2 * h, Hop: h, Lookahead: f.Lookahead}, f.Window == 2*f.Hop
}
