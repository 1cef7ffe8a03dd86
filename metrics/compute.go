package metrics

import (
	"errors"
	"fmt"
	"math"
)

// MaxDB bounds the SI-SDR and SNR that Compute reports to [-MaxDB, +MaxDB],
// so that a perfect estimate gives +MaxDB instead of +Inf and Scores always
// encodes as JSON. (SegSNR is bounded by its own per-frame clamp.)
const MaxDB = 200.0

// SilenceThreshold is the peak magnitude below which Compute treats a
// reference as silent: 1e-5, about a third of one 16-bit step (-100 dBFS).
const SilenceThreshold = 1e-5

// ErrSilentReference is returned by Compute when the reference is silent.
var ErrSilentReference = errors.New("metrics: reference is silent")

// Scores holds every measure for one reference/degraded pair.
type Scores struct {
	STOI   float64 `json:"stoi"`    // STOI, [-1, 1], higher is better
	ESTOI  float64 `json:"estoi"`   // extended STOI, [-1, 1], higher is better
	SISDR  float64 `json:"si_sdr"`  // scale-invariant SDR, dB
	SNR    float64 `json:"snr"`     // SNR, dB
	SegSNR float64 `json:"seg_snr"` // segmental SNR, dB, frame values clamped to [-10, 35]
	LSD    float64 `json:"lsd"`     // log-spectral distance, dB, lower is better
}

// Compute scores deg against the clean reference ref, both sampled at fs Hz,
// with STOI, ESTOI, SISDR, SNR, SegSNR and LSD. Both signals are first cut to
// the shorter length (no alignment or resampling: see Align and Resample).
// SI-SDR and SNR are clamped to [-MaxDB, MaxDB]. It returns an error wrapping
// ErrSilentReference when the reference peak is below SilenceThreshold,
// ErrTooShort when STOI has fewer than 30 active frames (about 0.4 s of
// speech) or the signals are shorter than one LSD frame, and an error for
// non-finite samples or an fs outside [1 kHz, 384 kHz].
func Compute(ref, deg []float32, fs int) (Scores, error) {
	if fs < 1000 || fs > 384000 {
		return Scores{}, fmt.Errorf("metrics: unsupported sample rate %d Hz", fs)
	}
	n := min(len(ref), len(deg))
	x, y := toF64(ref[:n]), toF64(deg[:n])
	peak := 0.0
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return Scores{}, fmt.Errorf("metrics: non-finite sample at %d", i)
		}
		peak = math.Max(peak, math.Abs(x[i]))
	}
	if n < lsdFrame(fs) {
		return Scores{}, fmt.Errorf("%w: %d samples", ErrTooShort, n)
	}
	if peak < SilenceThreshold {
		return Scores{}, ErrSilentReference
	}
	xt, yt, err := stoiEnvelopes(x, y, fs)
	if err != nil {
		return Scores{}, err
	}
	return Scores{
		STOI:   stoiFromEnvelopes(xt, yt),
		ESTOI:  estoiFromEnvelopes(xt, yt),
		SISDR:  capDB(SISDR(x, y)),
		SNR:    capDB(SNR(x, y)),
		SegSNR: SegSNR(x, y, fs),
		LSD:    LSD(x, y, fs),
	}, nil
}

// capDB clamps a dB value to [-MaxDB, MaxDB] (NaN stays NaN).
func capDB(v float64) float64 {
	return math.Max(-MaxDB, math.Min(MaxDB, v))
}
