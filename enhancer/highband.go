package enhancer

import "math"

// highBand sets the gains of the bins above the model's band (k ≥ K, present
// when the engine runs natively above the model's rate) from the model's own
// gains and the frame's spectrum. Its speech presence is the mean of the
// model's gains over the top quarter of its band,
//
//	p = (1/(K − lo)) Σ_{j=lo}^{K−1} g_j,   lo = round(3(K−1)/4)
//
// (bins 120 … 160, 6–8 kHz, for the default model). Each high bin k keeps a
// noise power estimate N_k that follows the bin's power P_k = |X_k|² where
// the model hears no speech, and a decision-directed Wiener gain
// (Ephraim & Malah's a priori SNR ξ):
//
//	N_k ← N_k + (1 − p)(1 − β)(P_k − N_k)          (N_k = P_k on the first frame)
//	ξ_k = α·S_k/N_k + (1 − α)·max(P_k/N_k − 1, 0),  w_k = ξ_k/(1 + ξ_k)
//	gain_k = sqrt(p·w_k),  S_k ← gain_k² P_k         (β = 0.9, α = 0.98)
//
// before the controls, so these bins then pass the same gain floor,
// attenuation limit and mix as every other bin. p alone carries the model's
// decision (speech above 8 kHz comes with energy at 6–8 kHz); w_k removes
// the noise that fills the band above the speech's own while it speaks.
//
// Measured on 16 mixtures of ../shared/data48 speech and noise at 48 kHz
// (0–15 dB SNR, 8 s each; energies in speech frames, noise alone after 1 s;
// in this sweep the rule read the newest frame's spectrum, not the one the
// gains apply to; TestFullBand48 measures the rule as it is):
//
//	rule                                  > 8 kHz out − clean (range)   ΔSI-SDR   noise alone > 8 kHz
//	gain_k = p                            −0.3 dB (−11.3 … +9.6)        +1.92     −29.9 dB (worst −29.3)
//	gain_k = sqrt(p·w_k) (this)           −1.7 dB (−12.9 … +5.9)        +2.03     −29.1 dB (worst −26.8)
//	gain_k = min(p, w_k)                  −3.3 dB (−15.6 … +3.6)        +2.04     −30.0 dB
//	gain_k = w_k                          −2.7 dB (−13.2 … +6.0)        +2.04     −23.4 dB (worst −18.0)
//
// and for p: lower edges of 4 or 7 kHz, power-weighted or geometric means,
// one-pole smoothing and β = 0.8 … 0.97 moved these by at most 0.7 dB and
// 0.07 dB SI-SDR. sqrt(p·w) keeps noise above the speech's band from riding
// along with it (the worst mixture's excess drops from 9.6 to 5.9 dB) at
// 1.4 dB less of the speech's own high band than p alone.
type highBand struct {
	lo, k int       // model bins lo … k−1 give p
	noise []float64 // N_k of the high bins
	clean []float64 // S_k, the last frame's gain² · power
	first bool
}

const (
	highBandBeta  = 0.9  // β, the noise estimate's memory per frame where p = 0
	highBandAlpha = 0.98 // α, the decision-directed weight of the last frame
)

// newHighBand returns the rule for a model with k gains and a native STFT
// with kn ≥ k bins.
func newHighBand(k, kn int) highBand {
	n := max(kn-k, 0)
	return highBand{lo: (3*(k-1) + 2) / 4, k: k, noise: make([]float64, n), clean: make([]float64, n), first: true}
}

// reset forgets the noise estimate.
func (h *highBand) reset() {
	clear(h.noise)
	clear(h.clean)
	h.first = true
}

// fill sets gain[k:] from the model's gains gain[lo:k] and x, the spectrum
// of the frame the gains apply to.
func (h *highBand) fill(gain []float32, x []complex128) {
	if len(gain) <= h.k {
		return
	}
	var s float32
	for _, v := range gain[h.lo:h.k] {
		s += v
	}
	p := float64(s / float32(h.k-h.lo))
	upd := (1 - p) * (1 - highBandBeta)
	if h.first {
		upd = 1 // N_k = P_k
	}
	// With ν = α·S_k + (1 − α)·max(P_k − N_k, 0), ξ_k = ν/N_k and
	// w_k = ξ_k/(1 + ξ_k) = ν/(ν + N_k): one division per bin.
	x = x[h.k:len(gain)]
	noise, clean, out := h.noise[:len(x)], h.clean[:len(x)], gain[h.k:]
	if n := len(x) &^ 3; useAVX2 && n > 0 {
		k := [5]float64{upd, p, highBandAlpha, 1 - highBandAlpha, 1e-30}
		highBandAVX2(out[:n], x[:n], noise[:n], clean[:n], &k)
		x, noise, clean, out = x[n:], noise[n:], clean[n:], out[n:]
	}
	for i, c := range x {
		pw := real(c)*real(c) + imag(c)*imag(c)
		n := noise[i] + upd*(pw-noise[i])
		noise[i] = n
		n += 1e-30
		nu := highBandAlpha*clean[i] + (1-highBandAlpha)*max(pw-n, 0)
		g2 := p * nu / (nu + n)
		clean[i] = g2 * pw
		out[i] = float32(math.Sqrt(g2))
	}
	h.first = false
}
