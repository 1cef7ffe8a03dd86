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
// pulling once they are nearly untouched; SDRCap = C dB puts 10^(−C/10) P_b
// in its place on sequences with speech, so a higher cap keeps pulling clean
// input toward an exact pass-through (the sigmoid and tanh outputs can reach
// it only as they saturate). Noise-only sequences (P_b = 0)
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
	SDRCap        float64 // cap of the SDR term's reward on sequences with speech, dB (30; 0 means 30)
}

// DefaultLoss is the shipped recipe's loss: c = 0.3, 0.7·magnitude +
// 0.3·complex, over-suppression weighted 2×, gain floor −30 dB, plus
// 0.01 × the spectral SDR (noise only: attenuation) term in dB.
var DefaultLoss = LossConfig{Compress: 0.3, MagWeight: 0.7, ComplexWeight: 0.3, UnderWeight: 2, GainFloor: math.Pow(10, -30.0/20), SDRWeight: 0.01, SDRCap: 30}

// sdrCap is the SDR term's reward cap on sequences with speech, dB.
func (c LossConfig) sdrCap() float64 {
	if c.SDRCap <= 0 {
		return 30
	}
	return c.SDRCap
}

// Targets are the per-bin inputs of the loss for one batch of B sequences
// of K bins, time-major [T·B, K] (row t·B + b): XC = |X|^c, SC = |S|^c,
// PC = |S|^c cos(∠X − ∠S), and for the SDR term XP = |X|², XS = Re(X S*),
// SS = |S|² (nil when the SDR term is off).
//
// With a deep filter over bins 0 … ND−1 (a v2 model with Arch.DF = ND), DF
// holds per row and filtered bin the filter's taps and the target,
// [T·B, ND, 8]: (Re, Im) of Z_0, Z_1 = X, Z_2 and S (enhancer.V2DF).
type Targets[T Float] struct {
	B, K       int
	XC, SC, PC []T
	XP, XS, SS []T
	ND         int
	DF         []T
}

// Loss computes the mean loss of gains g ([T·B, K], σ outputs) against tg and
// writes ∂loss/∂o (o the pre-sigmoid output, ∂g/∂o = g(1 − g)) to dOut.
func Loss[T Float](cfg LossConfig, g []T, tg *Targets[T], dOut []T) float64 {
	return LossDF(cfg, g, nil, tg, dOut, nil)
}

// LossDF is Loss for a model whose output in bins 0 … tg.ND−1 is deep-filtered
// (enhancer.V2DF): Y = G_f·X + Σ_i c_i Z_i with the coefficients c
// ([T·B, ND, 3] complex as (re, im) pairs). There the terms are those of
// LossConfig with Y in place of G_f·X, on the compressed output
// U = |Y|^c · Y/|Y| against S~ = |S|^c · S/|S|:
//
//	ℓ_mag = w (|Y|^c − |S|^c)²,  ℓ_cplx = |U − S~|²,  SDR: Σ |Y − S|²
//
// and it also writes ∂loss/∂c to dC (same layout as c). With c nil it is Loss.
func LossDF[T Float](cfg LossConfig, g, c []T, tg *Targets[T], dOut, dC []T) float64 {
	cp := cfg.Compress
	floor := T(cfg.GainFloor)
	inv := 1 / float64(len(g))
	wm, wc := T(2*cfg.MagWeight*inv), T(2*cfg.ComplexWeight*inv)
	var total float64
	nd := 0
	if c != nil {
		nd = tg.ND
	}
	sdr := sdrTerm(cfg, g, c, tg)
	for i, gv := range g {
		gf := max(gv, floor)
		var dgf T
		if k := i % tg.K; k < nd {
			o := i/tg.K*nd + k // the filtered bin's index in c, dC and tg.DF
			var l float64
			l, dgf = dfBin(cfg, gf, c[o*6:], tg.DF[o*8:], tg, i, sdr, wm, wc, dC[o*6:])
			total += l
		} else {
			gc := exp(T(cp) * logT(gf))
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
			dgf = du * T(cp) * gc * tg.XC[i] / gf
			if sdr != nil {
				b := i / tg.K % tg.B
				dgf += T(sdr.scale[b]) * (gf*tg.XP[i] - tg.XS[i])
			}
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

// dfOut returns Y = gf·Z_1 + Σ_i c_i Z_i of one deep-filtered bin from its
// coefficients cc (3 × (re, im)) and taps z (Z_0, Z_1, Z_2, S as (re, im)).
func dfOut[T Float](gf T, cc, z []T) (yr, yi T) {
	yr, yi = gf*z[2], gf*z[3]
	for j := 0; j < 3; j++ {
		cr, ci, zr, zi := cc[2*j], cc[2*j+1], z[2*j], z[2*j+1]
		yr += cr*zr - ci*zi
		yi += cr*zi + ci*zr
	}
	return yr, yi
}

// dfEps is ε of dfBin's |Y|² + ε: 10⁻¹² is |Y| = 10⁻⁶, far below a bin of
// 16-bit dither (|X| ≈ 4·10⁻⁴ in this STFT's units).
const dfEps = 1e-12

// dfBin evaluates the loss terms of one deep-filtered bin (before the 1/n
// mean) and returns them with ∂loss/∂gf; it writes ∂loss/∂c to dc.
func dfBin[T Float](cfg LossConfig, gf T, cc, z []T, tg *Targets[T], i int, sdr *sdrState, wm, wc T, dc []T) (float64, T) {
	cp := T(cfg.Compress)
	yr, yi := dfOut(gf, cc, z)
	sr, si := z[6], z[7]
	a2, s2 := yr*yr+yi*yi, sr*sr+si*si
	var s, str, sti T // |S|^c, S~
	if s2 > 0 {
		ms := sqrtT(s2)
		s = exp(cp * logT(ms))
		str, sti = s*sr/ms, s*si/ms
	}
	// |Y|² + ε in place of |Y|² keeps the slope of |Y|^c finite where the
	// taps cancel (it is infinite at 0; with a gain alone G_f ≥ the floor).
	a2 += dfEps
	m := sqrtT(a2) // √q, q = |Y|² + ε
	u := exp(cp * logT(m))
	e := u - s
	w := T(1)
	if e < 0 {
		w = T(cfg.UnderWeight)
	}
	er, ei := u*yr/m-str, u*yi/m-sti // E = U − S~
	l := cfg.MagWeight*float64(w*e*e) + cfg.ComplexWeight*float64(er*er+ei*ei)
	// ∂ℓ_mag: w e c u Y/q; ∂ℓ_cplx: q^((c−1)/2) E + (c−1) q^((c−3)/2) Re(E* Y) Y, q = |Y|² + ε
	fm := wm * w * e * cp * u / a2
	um1 := u / m
	re := er*yr + ei*yi
	fc := wc * (cp - 1) * um1 / a2 * re
	gr := fm*yr + wc*um1*er + fc*yr // ∂loss/∂Y as (∂/∂Re Y, ∂/∂Im Y)
	gi := fm*yi + wc*um1*ei + fc*yi
	if sdr != nil {
		sc := T(sdr.scale[i/tg.K%tg.B])
		gr += sc * (yr - sr)
		gi += sc * (yi - si)
	}
	for j := 0; j < 3; j++ {
		zr, zi := z[2*j], z[2*j+1]
		dc[2*j] = gr*zr + gi*zi   // ∂/∂Re c: ∂Y/∂Re c = Z
		dc[2*j+1] = gi*zr - gr*zi // ∂/∂Im c: ∂Y/∂Im c = jZ
	}
	return l, gr*z[2] + gi*z[3]
}

// sdrState is the SDR term's value and, per sequence, the factor s_b with
// ∂(λ·term)/∂G_f = s_b (G_f |X|² − Re(X S*)).
type sdrState struct {
	loss  float64
	scale []float64
}

// sdrTerm evaluates the SDR term of g against tg (see LossConfig), or
// returns nil when it is off.
func sdrTerm[T Float](cfg LossConfig, g, c []T, tg *Targets[T]) *sdrState {
	if cfg.SDRWeight == 0 || tg.XP == nil || tg.B == 0 {
		return nil
	}
	floor := T(cfg.GainFloor)
	e := make([]float64, tg.B)
	p := make([]float64, tg.B)
	x := make([]float64, tg.B)
	nd := 0
	if c != nil {
		nd = tg.ND
	}
	for i, gv := range g {
		b := i / tg.K % tg.B
		gf := max(gv, floor)
		if k := i % tg.K; k < nd {
			o := i/tg.K*nd + k
			z := tg.DF[o*8:]
			yr, yi := dfOut(gf, c[o*6:], z)
			e[b] += float64((yr-z[6])*(yr-z[6]) + (yi-z[7])*(yi-z[7]))
		} else {
			e[b] += float64(gf*gf*tg.XP[i] - 2*gf*tg.XS[i] + tg.SS[i])
		}
		p[b] += float64(tg.SS[i])
		x[b] += float64(tg.XP[i])
	}
	st := &sdrState{scale: make([]float64, tg.B)}
	n := 0
	eps := make([]float64, tg.B) // 10^(−cap/10) of each sequence's reward cap
	speechEps := math.Pow(10, -cfg.sdrCap()/10)
	for b := range p {
		eps[b] = speechEps
		if p[b] <= 0 {
			p[b] = x[b] // noise only: attenuation of the input, capped at 30 dB
			eps[b] = 1e-3
		}
		if p[b] > 0 {
			n++
		}
	}
	for b := range p {
		if p[b] <= 0 {
			continue // digital silence
		}
		d := max(e[b], 0) + eps[b]*p[b]
		st.loss += cfg.SDRWeight / float64(n) * 10 * math.Log10(d/p[b])
		// d/dG_f of 10 log10(d) = (10/ln 10) · 2 (G_f |X|² − Re(X S*)) / d
		st.scale[b] = cfg.SDRWeight / float64(n) * 20 / math.Ln10 / d
	}
	return st
}
