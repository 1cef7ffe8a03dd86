package resample

import (
	"math"

	"github.com/ghostrnn/ghostrnn/internal/kaiser"
)

// Filter design: the passband ends at passEdge × the lower Nyquist
// frequency and the stopband starts at the lower Nyquist frequency, with
// stopband attenuation attenuation dB (Kaiser's formulas).
const (
	passEdge    = 0.9
	attenuation = 100.0
)

// MaxCoefficients bounds the filter table (L phases × taps). Rate pairs with
// an awkward ratio (e.g. 44101 → 16000) exceed it and are refused by New.
const MaxCoefficients = 1 << 21

// design returns the taps per phase (a multiple of 8) and the Kaiser beta
// for converting inRate to outRate.
func design(inRate, outRate int) (taps int, beta float64) {
	lower := float64(min(inRate, outRate))
	// Transition band width, as a fraction of the input rate.
	width := (1 - passEdge) * lower / 2 / float64(inRate)
	n := (attenuation - 7.95) / (2.285 * 2 * math.Pi * width)
	taps = (int(math.Ceil(n)) + 7) &^ 7
	beta = 0.1102 * (attenuation - 8.7)
	return taps, beta
}

// table computes the polyphase filter: for phase p (output time p/l
// between input frames), coefs[p*taps+j] weighs the input frame
// floor(t)-taps/2+1+j.
func table(inRate, outRate, l, taps int, beta float64) []float32 {
	lower := float64(min(inRate, outRate))
	// Cutoff halfway through the transition band, in cycles per input frame.
	fc := (1 + passEdge) / 2 * lower / 2 / float64(inRate)
	half := float64(taps / 2)
	i0b := kaiser.I0(beta)
	coefs := make([]float32, l*taps)
	for p := 0; p < l; p++ {
		frac := float64(p) / float64(l)
		for j := 0; j < taps; j++ {
			t := frac + half - 1 - float64(j) // distance in input frames
			x := t / half
			w := 0.0
			if x > -1 && x < 1 {
				w = kaiser.I0(beta*math.Sqrt(1-x*x)) / i0b
			}
			coefs[p*taps+j] = float32(2 * fc * kaiser.Sinc(2*fc*t) * w)
		}
	}
	return coefs
}
