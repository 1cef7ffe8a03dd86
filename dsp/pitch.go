package dsp

import (
	"fmt"
	"math"
)

// Pitch-search range in Hz.
const (
	PitchMinHz = 50.0
	PitchMaxHz = 400.0
)

// Pitch measures, per frame and per low ERB band, how much of the band
// repeats some pitch periods earlier: the band's normalised correlation
// between the current frame's spectrum X and the spectrum P of the same
// window m·T samples back, m = ⌈N/T⌉ periods, the fewest that do not overlap
// the current window (RNNoise's pitch correlation, which takes one period
// and so overlaps: there white noise correlates with itself by the window's
// overlap, up to |ρ| ≈ 0.7),
//
//	ρ_b = Σ_k W[b,k] Re(X_k P*_k) / sqrt(Σ_k W[b,k] |X_k|² · Σ_k W[b,k] |P_k|²)
//
// in [−1, 1], 0 when either band is silent. Harmonics of a voice repeat after
// each period (ρ near 1), most noise does not (ρ near 0), so ρ tells which of
// the bins that a real gain has to choose between carry the voice.
//
// T maximises the normalised time-domain correlation of the window x (the
// last N samples) with the N samples T earlier, over T in fs/400 … fs/50
// (50–400 Hz): first on the signal averaged over blocks of 4 samples, then at
// full rate within ±3 samples of the coarse lag. A multiple of the true
// period (an octave error) still lines the harmonics up.
//
// Pitch keeps the last N + 2·T_max input samples, so each stream needs its own.
type Pitch struct {
	n, h       int
	minT, maxT int
	bands      []Band
	win        []float64
	buf        []float64 // last N + 2·maxT samples, oldest first
	dec        []float64 // buf averaged over blocks of 4
	fft        *rfft
	spec       []complex128
	period     int
	corr       float64
}

// NewPitch returns a pitch-coherence meter for the first nb of nbands ERB
// bands (see ERBBands) under framing cfg.
func NewPitch(cfg Config, nbands, nb int) (*Pitch, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	bands, err := ERBBands(cfg, nbands)
	if err != nil {
		return nil, err
	}
	if nb < 1 || nb > nbands {
		return nil, fmt.Errorf("dsp: %d pitch bands of %d ERB bands", nb, nbands)
	}
	minT := int(math.Ceil(float64(cfg.SampleRate) / PitchMaxHz))
	maxT := int(float64(cfg.SampleRate) / PitchMinHz)
	maxT -= maxT % 4
	l := cfg.Window + 2*maxT // the window and the longest lag m·T < 2·T_max
	l += (4 - l%4) % 4
	p := &Pitch{
		n: cfg.Window, h: cfg.Hop, minT: minT, maxT: maxT,
		bands: bands[:nb],
		win:   Window(cfg.Window),
		buf:   make([]float64, l),
		dec:   make([]float64, l/4),
		fft:   newRFFT(cfg.Window),
		spec:  make([]complex128, cfg.Bins()),
	}
	return p, nil
}

// Size returns the number of features per frame.
func (p *Pitch) Size() int { return len(p.bands) }

// Period returns the lag T in samples found for the last frame, and the
// normalised time-domain correlation there.
func (p *Pitch) Period() (int, float64) { return p.period, p.corr }

// Compute takes the hop of H new samples whose window has spectrum x (as
// Analyzer.Frame returned it) and writes ρ_b of the first Size() bands to dst.
func (p *Pitch) Compute(dst []float32, x []complex128, hop []float32) {
	if len(hop) != p.h {
		panic(fmt.Sprintf("dsp: Pitch.Compute got %d samples, want hop %d", len(hop), p.h))
	}
	l := len(p.buf)
	copy(p.buf, p.buf[p.h:])
	for i, v := range hop {
		p.buf[l-p.h+i] = float64(v)
	}
	p.period, p.corr = p.search()
	t := p.period * ((p.n + p.period - 1) / p.period)
	p.fft.forward(p.spec, p.buf[l-p.n-t:l-t], p.win)
	for b, band := range p.bands {
		var num, ex, ep float64
		for i, w := range band.Weights {
			xk, pk := x[band.Start+i], p.spec[band.Start+i]
			num += w * (real(xk)*real(pk) + imag(xk)*imag(pk))
			ex += w * (real(xk)*real(xk) + imag(xk)*imag(xk))
			ep += w * (real(pk)*real(pk) + imag(pk)*imag(pk))
		}
		r := 0.0
		if d := ex * ep; d > 1e-30 {
			r = num / math.Sqrt(d)
		}
		dst[b] = float32(r)
	}
}

// search returns the lag of the largest normalised correlation between the
// window and the signal before it, and that correlation.
func (p *Pitch) search() (int, float64) {
	// Coarse: blocks of 4.
	d := p.dec
	for i := range d {
		j := 4 * i
		d[i] = 0.25 * (p.buf[j] + p.buf[j+1] + p.buf[j+2] + p.buf[j+3])
	}
	nd, ld := p.n/4, len(d)
	cur := d[ld-nd:]
	ec := dot(cur, cur)
	best, bestT := math.Inf(-1), p.minT
	for tc := (p.minT + 3) / 4; tc <= p.maxT/4; tc++ {
		if r := normCorr(cur, d[ld-nd-tc:ld-tc], ec); r > best {
			best, bestT = r, 4*tc
		}
	}
	// Fine: full rate around the coarse lag.
	l := len(p.buf)
	cur = p.buf[l-p.n:]
	ec = dot(cur, cur)
	best, t0 := math.Inf(-1), bestT
	for t := max(t0-3, p.minT); t <= min(t0+3, p.maxT); t++ {
		if r := normCorr(cur, p.buf[l-p.n-t:l-t], ec); r > best {
			best, bestT = r, t
		}
	}
	return bestT, best
}

// dot returns Σ a_i b_i over len(a).
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// normCorr returns Σ a·b / sqrt(ea · Σ b²), with ea = Σ a², or 0 when the
// product of the energies is below 1e-30.
func normCorr(a, b []float64, ea float64) float64 {
	b = b[:len(a)]
	var s, eb float64
	for i, v := range a {
		s += v * b[i]
		eb += b[i] * b[i]
	}
	if ea*eb <= 1e-30 {
		return 0
	}
	return s / math.Sqrt(ea*eb)
}

// Reset clears the history to silence.
func (p *Pitch) Reset() {
	for i := range p.buf {
		p.buf[i] = 0
	}
	p.period, p.corr = p.minT, 0
}
