//go:build !amd64

package enhancer

var useAVX2 = false

func highBandAVX2(out []float32, x []complex128, noise, clean []float64, k *[5]float64) {
	panic("enhancer: no AVX2 kernel")
}
