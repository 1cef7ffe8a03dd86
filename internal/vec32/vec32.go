// Package vec32 holds the float32 inner products of the real-time path: the
// dot product of the resampler's polyphase filter, the matrix–vector
// products of the network and the convolutions over frequency of the v2
// head (Conv). On amd64 they run an assembly kernel: with AVX-512F (on the
// CPUs hasAVX512 admits), four 16-lane fused multiply–add accumulators;
// with AVX2 and FMA, four 8-lane ones (about twice as fast as gonum's
// blas32); else four 4-lane SSE accumulators; elsewhere a plain Go loop with
// four accumulators. Conv has its own layout (see there).
//
// Each kernel sums in a fixed order that depends only on the lengths, never
// on where the slices sit in memory, and MulVecAdd sums each row exactly as
// Dot does, so results are reproducible on a given machine (the resampler's
// output must not depend on chunking). The kernels round differently, within
// float32 accuracy.
package vec32

// Kernels, in the order they are preferred.
const (
	kernGo     = iota // portable Go loop
	kernSSE           // amd64 baseline
	kernAVX2          // amd64 with AVX2 and FMA
	kernAVX512        // amd64 with AVX-512F besides (hasAVX512)
)

// Dot returns Σ_{i<len(a)} a[i]·b[i]. It panics if b is shorter than a.
func Dot(a, b []float32) float32 {
	b = b[:len(a)]
	if len(a) == 0 {
		return 0
	}
	switch kern {
	case kernAVX512:
		return dotAVX512(a, b)
	case kernAVX2:
		return dotAVX2(a, b)
	case kernSSE:
		return dotSSE(a, b)
	}
	return dotGo(a, b)
}

// MulVecAdd sets y[i] += Σ_{j<len(x)} a[i·len(x)+j]·x[j] for i < len(y):
// y ← y + A x for the row-major len(y)×len(x) matrix A held in a. Each row's
// sum is Dot(row, x), added to y[i]. It panics if a is shorter than
// len(y)·len(x).
func MulVecAdd(y, a, x []float32) {
	rows, cols := len(y), len(x)
	a = a[:rows*cols]
	if rows == 0 || cols == 0 {
		return
	}
	switch kern {
	case kernAVX512:
		gemvAVX512(y, a, x)
		return
	case kernAVX2:
		gemvAVX2(y, a, x)
		return
	case kernSSE:
		gemvSSE(y, a, x)
		return
	}
	for i := range y {
		y[i] += dotGo(a[i*cols:(i+1)*cols], x)
	}
}

// dotGo is the portable kernel: four running sums over a[4k+j]·b[4k+j],
// j = 0 … 3, the tail added to the first, then (s₀ + s₁) + (s₂ + s₃).
func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}
