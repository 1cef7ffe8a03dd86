// Package kaiser holds the pieces of Kaiser-windowed sinc filters shared by
// the streaming resampler and the STOI resampler.
package kaiser

import "math"

// Sinc is the normalised sinc sin(πx)/(πx), 1 at 0 (numpy.sinc).
func Sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// I0 is the modified Bessel function of the first kind, order 0, by its
// power series Σ_k ((x/2)^k / k!)² (accurate to rounding for |x| < 30).
// The Kaiser window of shape β at x ∈ [−1, 1] is I0(β·sqrt(1−x²)) / I0(β).
func I0(x float64) float64 {
	q := x * x / 4
	sum, term := 1.0, 1.0
	for k := 1; k < 500; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}
