package metrics

import (
	"fmt"
	"math"

	"github.com/ghostrnn/ghostrnn/internal/kaiser"
)

// maxResampleFactor bounds the reduced up/down factors Resample accepts; the
// anti-aliasing filter grows linearly with max(up, down) (about 50 taps per
// unit), so 44.1 kHz <-> 48 kHz (160/147) is fine but nearly coprime rates
// such as 16000/16001 are refused.
const maxResampleFactor = 2000

// Resample converts x from rate from to rate to (both in Hz) by rational
// polyphase filtering, exactly as pystoi's resample_oct (a port of Octave's
// resample): with p/q = to/from in lowest terms, the signal is upsampled by
// p, filtered by the linear-phase FIR
//
//	h[t] = 2 p fc kaiser.Sinc(2 fc t) * kaiser(t; beta),  t = -L..L,
//	fc = 1/(2 max(p,q)),  L = ceil((60-8) / (28.714 fc/10)),  beta = 0.1102 (60-8.7),
//
// normalised so that p*h sums to p (unit DC gain), and downsampled by q.
// The filter is centred (zero delay) and the signal is zero-padded at both
// ends; the output has ceil(len(x) p / q) samples. Equal rates return a copy.
func Resample[T Sample](x []T, from, to int) ([]float64, error) {
	if from <= 0 || to <= 0 {
		return nil, fmt.Errorf("metrics: resample: invalid rates %d -> %d", from, to)
	}
	if from == to {
		return toF64(x), nil
	}
	g := gcd(from, to)
	p, q := to/g, from/g
	if p > maxResampleFactor || q > maxResampleFactor {
		return nil, fmt.Errorf("metrics: resample: rate ratio %d/%d too complex", to, from)
	}
	h := octaveFilter(p, q)
	half := (len(h) - 1) / 2
	nIn := len(x)
	nOut := (nIn*p + q - 1) / q
	y := make([]float64, nOut)
	for m := range y {
		// Output m sits at index m*q + half of the full convolution of the
		// p-fold upsampled input with h; input j contributes tap n0 - j*p.
		n0 := m*q + half
		jmax := n0 / p
		if jmax > nIn-1 {
			jmax = nIn - 1
		}
		jmin := 0
		if d := n0 - (len(h) - 1); d > 0 {
			jmin = (d + p - 1) / p
		}
		var s float64
		for j := jmin; j <= jmax; j++ {
			s += h[n0-j*p] * float64(x[j])
		}
		y[m] = s
	}
	return y, nil
}

// octaveFilter returns the Kaiser-windowed sinc of Resample for coprime p, q,
// already scaled by p/sum(h) as resample_poly does with a given window.
func octaveFilter(p, q int) []float64 {
	const rejectionDB = 60.0
	fc := 1 / (2 * float64(max(p, q)))
	rollOff := fc / 10
	L := int(math.Ceil((rejectionDB - 8) / (28.714 * rollOff)))
	beta := 0.1102 * (rejectionDB - 8.7)
	n := 2*L + 1
	h := make([]float64, n)
	i0b := kaiser.I0(beta)
	alpha := float64(n-1) / 2
	var sum float64
	for i := range h {
		t := float64(i - L)
		r := (float64(i) - alpha) / alpha
		win := kaiser.I0(beta*math.Sqrt(math.Max(0, 1-r*r))) / i0b
		h[i] = 2 * float64(p) * fc * kaiser.Sinc(2*fc*t) * win
		sum += h[i]
	}
	scale := float64(p) / sum
	for i := range h {
		h[i] *= scale
	}
	return h
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
