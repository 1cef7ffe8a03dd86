//go:build !amd64

package dsp

var useAVX2 = false

func pass4AVX2(y, x, tw []complex128, s, m int)                   { panic("dsp: no AVX2 kernel") }
func pass4firstAVX2(y, x, tw []complex128, m int)                 { panic("dsp: no AVX2 kernel") }
func pass2AVX2(y, x, tw []complex128, s, m int)                   { panic("dsp: no AVX2 kernel") }
func pass3AVX2(y, x, tw []complex128, s, m, n int, k *[2]float64) { panic("dsp: no AVX2 kernel") }
func pass7AVX2(y, x, tw []complex128, s, m, n int, k *[6][4]float64) {
	panic("dsp: no AVX2 kernel")
}
func pass5lastAVX2(y, x []complex128, s int, k *[4]float64) { panic("dsp: no AVX2 kernel") }
func untangleFwdAVX2(dst, z, tw []complex128, m, pairs int) { panic("dsp: no AVX2 kernel") }
func untangleInvAVX2(y, X, tw []complex128, m, pairs int)   { panic("dsp: no AVX2 kernel") }
func olaAVX2(out []float32, ola []float64, z []complex128, ws []float64) {
	panic("dsp: no AVX2 kernel")
}
func packAVX2f32(z []complex128, x []float32, w []float64) { panic("dsp: no AVX2 kernel") }
