// Package fastmath holds the exponential, logarithm and the activations
// (sigmoid and tanh, scalar and over whole vectors) that inference and
// training share, so both compute the same functions bit for bit. Each is
// several times cheaper than the math package and accurate far below float32
// resolution.
package fastmath

import "math"

// Exp returns e^x with a relative error below 1e-8 for |x| ≤ 80 (x is
// clamped there): x = n·ln2 + r with |r| ≤ ln2/2, a degree-7 Taylor
// polynomial for e^r, scaled by 2^n through the exponent bits.
func Exp(x float64) float64 {
	if x > 80 {
		x = 80
	} else if x < -80 {
		x = -80
	}
	const ln2hi, ln2lo = 6.93145751953125e-1, 1.42860682030941723212e-6
	k := int64(x*math.Log2E+128.5) - 128 // round(x·log₂e); the offset keeps it positive for truncation
	n := float64(k)
	r := x - n*ln2hi - n*ln2lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float64frombits(uint64(k+1023)<<52)
}

// Log returns ln x for finite x > 0 with an absolute error below 1e-9:
// x = 2^e·f with f in [√½, √2), ln f = 2 atanh((f−1)/(f+1)) as an odd series.
func Log(x float64) float64 {
	b := math.Float64bits(x)
	e := int64(b>>52&0x7ff) - 1023
	f := math.Float64frombits(b&^(0x7ff<<52) | 1023<<52) // in [1, 2)
	if f > math.Sqrt2 {
		f *= 0.5
		e++
	}
	s := (f - 1) / (f + 1)
	s2 := s * s
	p := 2 * s * (1 + s2*(1.0/3+s2*(1.0/5+s2*(1.0/7+s2*(1.0/9+s2*(1.0/11+s2*(1.0/13)))))))
	return float64(e)*math.Ln2 + p
}
