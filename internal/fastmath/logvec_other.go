//go:build !amd64

package fastmath

var useAVX2 = false

func logAVX2(dst, src []float64, k *[12]float64) { panic("fastmath: no AVX2 kernel") }
