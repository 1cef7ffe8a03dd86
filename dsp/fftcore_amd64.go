package dsp

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 kernels of fftcore_amd64.s for the passes whose
// stride s is even (every pass but the first), two complex128 values per
// 256-bit register, and for the stride-1 radix-4 first pass with an even
// number of butterflies. They do exactly the operations of the Go passes in
// the same order (no fused multiply–add), so they round the same.
var useAVX2 = cpu.X86.HasAVX2

// pass4AVX2 is pass4 for an even stride s ≥ 2; m = l/4, len(tw) ≥ 3m and
// len(x), len(y) ≥ 4ms.
//
//go:noescape
func pass4AVX2(y, x, tw []complex128, s, m int)

// pass4firstAVX2 is pass4first for an even m = l/4 ≥ 2.
//
//go:noescape
func pass4firstAVX2(y, x, tw []complex128, m int)

// pass2AVX2 is pass2 for an even stride s ≥ 2; m = l/2.
//
//go:noescape
func pass2AVX2(y, x, tw []complex128, s, m int)

// pass3AVX2 is pass3 for the columns q < n (n even, 2 ≤ n ≤ s) of a
// stride-s pass; m = l/3; k = {½, √3/2}.
//
//go:noescape
func pass3AVX2(y, x, tw []complex128, s, m, n int, k *[2]float64)

// pass7AVX2 is pass7 for the columns q < n (n even, 2 ≤ n ≤ s) of a
// stride-s pass; m = l/7; k = cos θ, cos 2θ, cos 3θ, sin θ, sin 2θ, sin 3θ
// (θ = 2π/7), each four times.
//
//go:noescape
func pass7AVX2(y, x, tw []complex128, s, m, n int, k *[6][4]float64)

// pass5lastAVX2 is pass5 for the last pass (l = 5, every twiddle 1) with an
// even stride s ≥ 2; k = {cos θ, cos 2θ, sin θ, sin 2θ}, θ = 2π/5.
//
//go:noescape
func pass5lastAVX2(y, x []complex128, s int, k *[4]float64)

// untangleFwdAVX2 is the loop of forward for k = 1 … 2·pairs, 4·pairs < m.
//
//go:noescape
func untangleFwdAVX2(dst, z, tw []complex128, m, pairs int)

// untangleInvAVX2 is the loop of inverseZ for k = 1 … 2·pairs, 4·pairs < m.
//
//go:noescape
func untangleInvAVX2(y, X, tw []complex128, m, pairs int)

// olaAVX2 is the overlap-add of Synthesizer.Frame for h = len(out) a
// multiple of 4; len(ola) ≥ h, len(z) ≥ h, len(ws) ≥ 2h.
//
//go:noescape
func olaAVX2(out []float32, ola []float64, z []complex128, ws []float64)

// packAVX2f32 windows float32 samples into the packed input:
// z[j] = (float64(x[2j])·w[2j], float64(x[2j+1])·w[2j+1]) for an even len(z).
//
//go:noescape
func packAVX2f32(z []complex128, x []float32, w []float64)
