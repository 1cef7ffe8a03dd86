package fastmath

import "math"

// The activations evaluate e^v with a table-driven kernel (as in ARM's
// optimized-routines expf): v·32/ln2 = k + r with k an integer and |r| ≤ ½,
// e^v = 2^(k/32) · 2^(r/32), where 2^(k/32) = 2^⌊k/32⌋ · 2^((k mod 32)/32)
// comes from a 32-entry table and the exponent bits, and
// 2^(r/32) = e^u, u = r·ln2/32, |u| ≤ ln2/64, is the cubic Taylor polynomial
// 1 + u + u²/2 + u³/6 (remainder u⁴/24 ≤ 5.8e-10). All arithmetic is in
// float64, so e^v is within 6e-10 relative for |v| ≤ 80.

// expTab[j] holds the bits of 2^(j/32) minus j·2⁴⁷: adding k·2⁴⁷ to
// expTab[k mod 32] (mod 2⁶⁴, any integer k) gives the bits of 2^(k/32).
var expTab [32]uint64

func init() {
	for j := range expTab {
		expTab[j] = math.Float64bits(math.Exp2(float64(j)/32)) - uint64(j)<<47
	}
}

const (
	expShift = 0x1.8p52          // adding it rounds a float64 below 2⁵¹ in magnitude to an integer
	expC1    = math.Ln2 / 32     // u = expC1·r
	expC2    = expC1 * expC1 / 2 // u²/2 = expC2·r²
	expC3    = expC2 * expC1 / 3 // u³/6 = expC3·r³
	actClamp = 80.0              // |argument of e| is clamped here; σ and tanh are saturated in float32
	inv32Ln2 = 32 / math.Ln2     // 32/ln2
)

// expAct returns e^(s·x) for |s·x| ≤ 700 with a relative error below 6e-10;
// s = ±2^j, so that s·inv32Ln2 is exact.
func expAct(x, s float64) float64 {
	z := x * (s * inv32Ln2)
	kd := z + expShift
	ki := math.Float64bits(kd) // low bits: k = round(z) in two's complement
	r := z - (kd - expShift)
	return math.Float64frombits(expTab[ki&31]+ki<<47) * (1 + r*(expC1+r*(expC2+r*expC3)))
}

// sigmoidConsts and tanhConsts drive the AVX2 kernel of SigmoidVec and
// TanhVec (act_amd64.s): ±clamp, s·32/ln2, a and b of a − b/(e + 1), and
// expAct's constants.
var (
	sigmoidConsts = [9]float64{actClamp, -actClamp, -1 * inv32Ln2, 0, -1, expShift, expC1, expC2, expC3}
	tanhConsts    = [9]float64{actClamp / 2, -actClamp / 2, 2 * inv32Ln2, 1, 2, expShift, expC1, expC2, expC3}
)

// clampAct limits x to ±limit.
func clampAct(x, limit float64) float64 {
	if x > limit {
		return limit
	}
	if x < -limit {
		return -limit
	}
	return x
}

// Sigmoid32 returns σ(x) = 1/(1 + e^−x) in float32 with |error| < 4e-8 (the
// float32 rounding of the result), x clamped to ±80 (where σ is 0 or 1 in
// float32 anyway). NaN gives NaN.
func Sigmoid32(x float32) float32 {
	return float32(1 / (1 + expAct(clampAct(float64(x), actClamp), -1)))
}

// Tanh32 returns tanh x = 1 − 2/(e^{2x} + 1) in float32 with |error| < 4e-8,
// x clamped to ±40 (where tanh is ±1 in float32 anyway). NaN gives NaN.
func Tanh32(x float32) float32 {
	return float32(1 - 2/(expAct(clampAct(float64(x), actClamp/2), 2)+1))
}

// SigmoidVec sets dst[i] = Sigmoid32(src[i]) for every i of src, bit for bit;
// dst may be src. It panics if dst is shorter than src. The loop has no
// calls, so consecutive elements overlap in the pipeline.
func SigmoidVec(dst, src []float32) {
	dst = dst[:len(src)]
	if n := len(src) &^ 3; useAVX2 && n > 0 {
		actAVX2(dst[:n], src[:n], &sigmoidConsts, &expTab)
		dst, src = dst[n:], src[n:]
	}
	for i, x := range src {
		dst[i] = float32(1 / (1 + expAct(clampAct(float64(x), actClamp), -1)))
	}
}

// TanhVec sets dst[i] = Tanh32(src[i]) for every i of src, bit for bit; dst
// may be src. It panics if dst is shorter than src.
func TanhVec(dst, src []float32) {
	dst = dst[:len(src)]
	if n := len(src) &^ 3; useAVX2 && n > 0 {
		actAVX2(dst[:n], src[:n], &tanhConsts, &expTab)
		dst, src = dst[n:], src[n:]
	}
	for i, x := range src {
		dst[i] = float32(1 - 2/(expAct(clampAct(float64(x), actClamp/2), 2)+1))
	}
}
