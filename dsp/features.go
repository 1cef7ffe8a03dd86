package dsp

import (
	"fmt"
	"math"

	"github.com/ghostrnn/ghostrnn/internal/fastmath"
)

// Feature constants of the ERB feature set; see docs/DESIGN.md.
const (
	// FeatureFloor is added to the band power before the logarithm, 1e-10 (−100 dB).
	FeatureFloor = 1e-10
	// FeatureTau is the time constant, in seconds, of the per-band running mean.
	FeatureTau = 1.0
	// FeatureInitMean is the running mean's start value in dB.
	FeatureInitMean = -60.0
	// FeatureScale divides the mean-removed band level in dB.
	FeatureScale = 40.0
)

// erbRate is the Glasberg & Moore ERB-rate of f Hz: 21.4 log10(1 + 0.00437 f).
func erbRate(f float64) float64 { return 21.4 * math.Log10(1+0.00437*f) }

// erbRateInv inverts erbRate.
func erbRateInv(e float64) float64 { return (math.Pow(10, e/21.4) - 1) / 0.00437 }

// Band is one triangular band: Weights[i] applies to bin Start+i.
type Band struct {
	Start   int
	Weights []float64
}

// Centre returns the bin where the band peaks (its weight there is 1).
func (b Band) Centre() int {
	c := 0
	for i, w := range b.Weights {
		if w > b.Weights[c] {
			c = i
		}
	}
	return b.Start + c
}

// ERBBands returns nb triangular bands over the bins of cfg whose centres are
// spaced evenly on the ERB-rate scale from 0 Hz to Nyquist, each centre at least
// one bin from its neighbours. Band b rises linearly from centre b-1 to centre b
// and falls to centre b+1, where centres 0 and nb+1 are the edge bins 0 and N/2.
func ERBBands(cfg Config, nb int) ([]Band, error) {
	k := cfg.Bins()
	if nb < 1 || nb+2 > k {
		return nil, fmt.Errorf("dsp: %d bands do not fit %d bins", nb, k)
	}
	nyq := float64(cfg.SampleRate) / 2
	binHz := float64(cfg.SampleRate) / float64(cfg.Window)
	top := erbRate(nyq)
	p := make([]int, nb+2)
	for i := range p {
		c := int(math.Round(erbRateInv(top*float64(i)/float64(nb+1)) / binHz))
		if i > 0 && c <= p[i-1] {
			c = p[i-1] + 1
		}
		if maxc := k - 1 - (nb + 1 - i); c > maxc {
			c = maxc
		}
		p[i] = c
	}
	bands := make([]Band, nb)
	for b := 1; b <= nb; b++ {
		l, c, r := p[b-1], p[b], p[b+1]
		w := make([]float64, r-l+1)
		for j := l; j <= r; j++ {
			switch {
			case j <= c:
				w[j-l] = float64(j-l) / float64(c-l)
			default:
				w[j-l] = float64(r-j) / float64(r-c)
			}
		}
		bands[b-1] = Band{Start: l, Weights: w}
	}
	return bands, nil
}

// Featurizer computes the model's per-frame input features from a spectrum:
//
//	P_k = 4|X_k|² / (Σ_n w[n])²                 (a full-scale sine reads ≈ 1)
//	E_b = Σ_k W[b,k] P_k                        (ERB bands, see ERBBands)
//	L_b = 10 log10(E_b + 1e-10)                 (dB)
//	μ_b ← a μ_b + (1 − a) L_b,  a = exp(−H / (fs τ)),  τ = 1 s,  μ_b(0) = −60 dB
//	f_b = (L_b − μ_b) / 40
//
// It holds the running means μ, so each stream needs its own Featurizer.
type Featurizer struct {
	bands []Band
	scale float64
	alpha float64
	mu    []float64
	level []float64 // L_b of the last frame, dB
}

// NewFeaturizer returns a featurizer with nb ERB bands for the framing cfg.
func NewFeaturizer(cfg Config, nb int) (*Featurizer, error) { return NewFeaturizerAt(cfg, nb, cfg) }

// NewFeaturizerAt returns a featurizer with nb ERB bands over the bins of
// the model framing cfg that reads spectra of the analysis framing an: the
// same bin spacing (an.SampleRate/an.Window = cfg.SampleRate/cfg.Window) and
// hop duration at a rate an.SampleRate ≥ cfg.SampleRate, so bins
// 0 … cfg.Window/2 of an are cfg's bins and the rest are ignored. The power
// is normalised by an's own window sum, P_k = 4|X_k|²/(Σ_n w_an[n])²: since
// the window is the same continuous shape sampled an.SampleRate/cfg.SampleRate
// times more densely, both |X_k| and Σ w scale by that ratio, and a signal
// band-limited to cfg's band gives the same P_k (and features) at either rate.
func NewFeaturizerAt(cfg Config, nb int, an Config) (*Featurizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := an.Validate(); err != nil {
		return nil, err
	}
	if an.SampleRate*cfg.Window != cfg.SampleRate*an.Window || an.SampleRate*cfg.Hop != cfg.SampleRate*an.Hop || an.Window < cfg.Window {
		return nil, fmt.Errorf("dsp: analysis framing %+v does not extend %+v (same bin spacing and hop duration at a rate at least as high)", an, cfg)
	}
	bands, err := ERBBands(cfg, nb)
	if err != nil {
		return nil, err
	}
	sw := 0.0
	for _, v := range Window(an.Window) {
		sw += v
	}
	f := &Featurizer{
		bands: bands,
		scale: 4 / (sw * sw),
		alpha: math.Exp(-float64(an.Hop) / (float64(an.SampleRate) * FeatureTau)),
		mu:    make([]float64, nb),
		level: make([]float64, nb),
	}
	f.Reset()
	return f, nil
}

// Size returns the number of features per frame.
func (f *Featurizer) Size() int { return len(f.bands) }

// Compute writes the features of spectrum spec to dst (length Size()) and
// updates the running means.
func (f *Featurizer) Compute(dst []float32, spec []complex128) {
	level := f.level
	for b, band := range f.bands {
		e := 0.0
		for i, w := range band.Weights {
			c := spec[band.Start+i]
			e += w * (real(c)*real(c) + imag(c)*imag(c))
		}
		level[b] = e*f.scale + FeatureFloor
	}
	fastmath.LogVec(level, level) // all bands' logarithms at once
	mu, dst := f.mu[:len(level)], dst[:len(level)]
	for b, ln := range level {
		l := (10 / math.Ln10) * ln
		level[b] = l
		mu[b] = f.alpha*mu[b] + (1-f.alpha)*l
		dst[b] = float32((l - mu[b]) / FeatureScale)
	}
}

// Levels returns the band levels L_b in dB of the last computed frame. The
// slice is owned by the featurizer.
func (f *Featurizer) Levels() []float64 { return f.level }

// Reset restores the running means to their start value.
func (f *Featurizer) Reset() {
	for i := range f.mu {
		f.mu[i] = FeatureInitMean
		f.level[i] = FeatureInitMean
	}
}
