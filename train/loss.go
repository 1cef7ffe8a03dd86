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
//
// The compression (c = 0.3) evens out loud and quiet bins, the complex term
// penalises keeping bins whose phase is dominated by noise, and UnderWeight > 1
// makes over-suppression of speech cost more than the same amount of residual
// noise (a speech-distortion weighting).
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
}

// DefaultLoss is the shipped recipe's loss: c = 0.3, 0.7·magnitude +
// 0.3·complex, over-suppression weighted 2×, gain floor −30 dB.
var DefaultLoss = LossConfig{Compress: 0.3, MagWeight: 0.7, ComplexWeight: 0.3, UnderWeight: 2, GainFloor: math.Pow(10, -30.0/20)}

// Targets are the per-bin inputs of the loss for one batch, time-major
// [T·B, K]: XC = |X|^c, SC = |S|^c, PC = |S|^c cos(∠X − ∠S).
type Targets[T Float] struct {
	XC, SC, PC []T
}

// Loss computes the mean loss of gains g ([T·B, K], σ outputs) against tg and
// writes ∂loss/∂o (o the pre-sigmoid output, ∂g/∂o = g(1 − g)) to dOut.
func Loss[T Float](cfg LossConfig, g []T, tg *Targets[T], dOut []T) float64 {
	c := cfg.Compress
	floor := T(cfg.GainFloor)
	inv := 1 / float64(len(g))
	wm, wc := T(2*cfg.MagWeight*inv), T(2*cfg.ComplexWeight*inv)
	var total float64
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
		if gv < floor && dgf > 0 {
			dgf = 0
		}
		dOut[i] = dgf * gv * (1 - gv)
	}
	return total * inv
}
