//go:build !amd64

package enhancer

var useAVX2 = false

func highBandAVX2(out []float32, x []complex128, noise, clean []float64, k *[5]float64) {
	panic("enhancer: no AVX2 kernel")
}

func gainsAVX2(out, x []complex128, gain []float32, c *[3]float32, acc *[12]float64) {
	panic("enhancer: no AVX2 kernel")
}
