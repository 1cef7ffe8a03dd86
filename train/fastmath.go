package train

import (
	"math"
	"unsafe"

	"github.com/ghostrnn/ghostrnn/internal/fastmath"
)

// expFast and logFast are the shared fast transcendentals of package
// fastmath, so training and inference compute the same functions.
func expFast(x float64) float64 { return fastmath.Exp(x) }
func logFast(x float64) float64 { return fastmath.Log(x) }

func is32[T Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

func exp[T Float](x T) T {
	if is32[T]() {
		return T(expFast(float64(x)))
	}
	return T(math.Exp(float64(x)))
}

func logT[T Float](x T) T {
	if is32[T]() {
		return T(logFast(float64(x)))
	}
	return T(math.Log(float64(x)))
}

// sigmoid is σ(x) = 1/(1 + e^−x): fastmath.Sigmoid32 on the float32 path
// (the function enhancer.Net applies, bit for bit), math.Exp on float64.
func sigmoid[T Float](x T) T {
	if is32[T]() {
		return T(fastmath.Sigmoid32(float32(x)))
	}
	return 1 / (1 + exp(-x))
}

// tanhf is tanh(x): fastmath.Tanh32 on the float32 path (as enhancer.Net),
// math.Tanh on float64.
func tanhf[T Float](x T) T {
	if is32[T]() {
		return T(fastmath.Tanh32(float32(x)))
	}
	return T(math.Tanh(float64(x)))
}

// sqrtT is math.Sqrt for either float type.
func sqrtT[T Float](x T) T { return T(math.Sqrt(float64(x))) }
