//go:build !amd64

package fastmath

var useAVX2 = false

func logAVX2(dst, src []float64, k *[12]float64) { panic("fastmath: no AVX2 kernel") }

func actAVX2(dst, src []float32, k *[9]float64, tab *[32]uint64) { panic("fastmath: no AVX2 kernel") }
