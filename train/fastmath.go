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

func sigmoid[T Float](x T) T { return 1 / (1 + exp(-x)) }

// tanhf is tanh(x) = 1 − 2/(e^{2x} + 1) on the float32 path, math.Tanh on float64.
func tanhf[T Float](x T) T {
	if is32[T]() {
		return T(1 - 2/(expFast(2*float64(x))+1))
	}
	return T(math.Tanh(float64(x)))
}
