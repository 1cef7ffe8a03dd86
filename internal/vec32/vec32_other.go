//go:build !amd64

package vec32

var kern = kernGo

var conv512 = false

func dotAVX2(a, b []float32) float32   { panic("vec32: no AVX2 kernel") }
func gemvAVX2(y, a, x []float32)       { panic("vec32: no AVX2 kernel") }
func dotAVX512(a, b []float32) float32 { panic("vec32: no AVX-512 kernel") }
func gemvAVX512(y, a, x []float32)     { panic("vec32: no AVX-512 kernel") }
func dotSSE(a, b []float32) float32    { panic("vec32: no SSE kernel") }
func gemvSSE(y, a, x []float32)        { panic("vec32: no SSE kernel") }

func convAVX2(y []float32, ystride, nout int, w []float32, wstride int, b, x []float32, xstride, kin, npos int, slope float32) {
	panic("vec32: no AVX2 kernel")
}

func convAVX512(y []float32, ystride, nout int, w []float32, wstride int, b, x []float32, xstride, kin, npos int, slope float32) {
	panic("vec32: no AVX-512 kernel")
}

func convDotAVX2(y, w []float32, b float32, x []float32, xstride, kin, npos int, slope float32) {
	panic("vec32: no AVX2 kernel")
}
