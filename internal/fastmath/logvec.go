package fastmath

import "math"

// LogVec sets dst[i] = Log(src[i]) for i < len(src), bit for bit as Log;
// dst may be src. On amd64 with AVX2 four at a time. It panics if dst is
// shorter than src.
func LogVec(dst, src []float64) {
	dst = dst[:len(src)]
	n := 0
	if useAVX2 {
		n = len(src) &^ 3
		if n > 0 {
			logAVX2(dst[:n], src[:n], &logConsts)
		}
	}
	for i := n; i < len(src); i++ {
		dst[i] = Log(src[i])
	}
}

// logConsts are Log's constants for the AVX2 kernel: √2, ½, 1, 2, the odd
// series' 1/3 … 1/13, ln 2 and the exponent bias 1023.
var logConsts = [12]float64{math.Sqrt2, 0.5, 1, 2, 1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, math.Ln2, 1023}
