package train

import "math"

// LossConfig sets the compressed-spectrum loss.
//
// With c the compression exponent, X the noisy spectrum, S the clean target,
// G_f = max(g, floor) the floored gain and Y = G_f·X the output, write
// u = |Y|^c = G_f^c |X|^c, s = |S|^c and p = |S|^c cos(∠X − ∠S) (the compressed
// target projected on the output's phase, since Y has the phase of X). Per
// time-frequency bin:
//
//	ℓ_mag = w · (u − s)²,  w = UnderWeight if u < s (speech removed) else 1
//	ℓ_cplx = |u e^{j∠X} − s e^{j∠S}|² = u² + s² − 2 u p
//	loss = mean over bins and frames of MagWeight·ℓ_mag + ComplexWeight·ℓ_cplx
//	       + SDRWeight · mean over sequences b of
//	         10 log10((E_b + 10⁻³ P_b) / P_b)   (P_b = N_b = Σ|X|² if S = 0),
//	E_b = Σ_{t,k} |G_f X − S|² = Σ G_f²|X|² − 2 G_f Re(X S*) + |S|²,  P_b = Σ_{t,k} |S|²
//
// The compression (c = 0.3) evens out loud and quiet bins, the complex term
// penalises keeping bins whose phase is dominated by noise, and UnderWeight > 1
// makes over-suppression of speech cost more than the same amount of residual
// noise (a speech-distortion weighting).
//
// The SDR term is the negative signal-to-distortion ratio of each sequence
// in the (uncompressed) STFT domain, which with the tight sqrt-Hann frame
// approximates the waveform SDR that SI-SDR measures: it weighs bins by
// their energy, as SI-SDR does, where the compressed terms even them out.
// The 10⁻³ P_b term caps its reward at 30 dB, so clean sequences stop
// pulling once they are nearly untouched. Noise-only sequences (P_b = 0)
// have no SDR; for them the term is the output-to-input power ratio
// 10 log10((E_b + 10⁻³ N_b) / N_b), N_b = Σ|X|² (E_b is then the output
// power), the attenuation that validation measures, capped at 30 dB.
//
// The floor max(g, floor) has zero slope below the floor; the trainer passes
// the gradient through it anyway when the loss asks to raise the gain, so a
// bin whose gain fell below the floor can come back (a one-sided
// straight-through estimate). Above the floor the gradient is exact.
type LossConfig struct {
	Compress      float64 // c, the magnitude exponent (0.3)
	MagWeight     float64 // weight of the magnitude term (0.7)
	ComplexWeight float64 // weight of the phase-aware complex term (0.3)
	UnderWeight   float64 // weight of magnitude errors where u < s (2)
	GainFloor     float64 // linear gain floor, e.g. 10^(−30/20)
	SDRWeight     float64 // λ, weight of the per-sequence spectral SDR term in dB (0: off)
}

// DefaultLoss is the shipped recipe's loss: c = 0.3, 0.7·magnitude +
// 0.3·complex, over-suppression weighted 2×, gain floor −30 dB, plus
// 0.01 × the spectral SDR (noise only: attenuation) term in dB.
var DefaultLoss = LossConfig{Compress: 0.3, MagWeight: 0.7, ComplexWeight: 0.3, UnderWeight: 2, GainFloor: math.Pow(10, -30.0/20), SDRWeight: 0.01}

// Targets are the per-bin inputs of the loss for one batch of B sequences
// of K bins, time-major [T·B, K] (row t·B + b): XC = |X|^c, SC = |S|^c,
// PC = |S|^c cos(∠X − ∠S), and for the SDR term XP = |X|², XS = Re(X S*),
// SS = |S|² (nil when the SDR term is off).
type Targets[T Float] struct {
	B, K       int
	XC, SC, PC []T
	XP, XS, SS []T
}

// Loss computes the mean loss of gains g ([T·B, K], σ outputs) against tg and
// writes ∂loss/∂o (o the pre-sigmoid output, ∂g/∂o = g(1 − g)) to dOut.
func Loss[T Float](cfg LossConfig, g []T, tg *Targets[T], dOut []T) float64 {
	c := cfg.Compress
	floor := T(cfg.GainFloor)
	inv := 1 / float64(len(g))
	wm, wc := T(2*cfg.MagWeight*inv), T(2*cfg.ComplexWeight*inv)
	var total float64
	sdr := sdrTerm(cfg, g, tg)
	for i, gv := range g {
		gf := max(gv, floor)
		gc := exp(T(c) * logT(gf))
		u := gc * tg.XC[i]
		s, p := tg.SC[i], tg.PC[i]
		e := u - s
		w := T(1)
		if e < 0 {
			w = T(cfg.UnderWeight)
		}
		total += cfg.MagWeight*float64(w*e*e) + cfg.ComplexWeight*float64(u*u+s*s-2*u*p)
		du := wm*w*e + wc*(u-p)
		// du/dgf = c·u/gf
		dgf := du * T(c) * gc * tg.XC[i] / gf
		if sdr != nil {
			b := i / tg.K % tg.B
			dgf += T(sdr.scale[b]) * (gf*tg.XP[i] - tg.XS[i])
		}
		if gv < floor && dgf > 0 {
			dgf = 0
		}
		dOut[i] = dgf * gv * (1 - gv)
	}
	total *= inv
	if sdr != nil {
		total += sdr.loss
	}
	return total
}

// sdrState is the SDR term's value and, per sequence, the factor s_b with
// ∂(λ·term)/∂G_f = s_b (G_f |X|² − Re(X S*)).
type sdrState struct {
	loss  float64
	scale []float64
}

// sdrTerm evaluates the SDR term of g against tg (see LossConfig), or
// returns nil when it is off.
func sdrTerm[T Float](cfg LossConfig, g []T, tg *Targets[T]) *sdrState {
	if cfg.SDRWeight == 0 || tg.XP == nil || tg.B == 0 {
		return nil
	}
	floor := T(cfg.GainFloor)
	e := make([]float64, tg.B)
	p := make([]float64, tg.B)
	x := make([]float64, tg.B)
	for i, gv := range g {
		b := i / tg.K % tg.B
		gf := max(gv, floor)
		e[b] += float64(gf*gf*tg.XP[i] - 2*gf*tg.XS[i] + tg.SS[i])
		p[b] += float64(tg.SS[i])
		x[b] += float64(tg.XP[i])
	}
	st := &sdrState{scale: make([]float64, tg.B)}
	n := 0
	for b := range p {
		if p[b] <= 0 {
			p[b] = x[b] // noise only: attenuation of the input
		}
		if p[b] > 0 {
			n++
		}
	}
	for b := range p {
		if p[b] <= 0 {
			continue // digital silence
		}
		d := max(e[b], 0) + 1e-3*p[b]
		st.loss += cfg.SDRWeight / float64(n) * 10 * math.Log10(d/p[b])
		// d/dG_f of 10 log10(d) = (10/ln 10) · 2 (G_f |X|² − Re(X S*)) / d
		st.scale[b] = cfg.SDRWeight / float64(n) * 20 / math.Ln10 / d
	}
	return st
}
