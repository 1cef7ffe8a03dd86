package vec32

// conv512 tells Conv (with kern = kernAVX2) to run blocks of 9 … 16
// outputs with AVX-512F.
var conv512 = hasAVX512()

// kern is the kernel in use: kernAVX512 or kernAVX2 if the CPU and OS
// support it (hasAVX512, hasAVX2FMA), else kernSSE (SSE is part of every amd64 CPU).
var kern = func() int {
	if hasAVX512() {
		return kernAVX512
	}
	if hasAVX2FMA() {
		return kernAVX2
	}
	return kernSSE
}()

// hasAVX2FMA reports whether the CPU and OS support AVX2 and FMA: CPUID.1:ECX
// has FMA (bit 12), OSXSAVE (27) and AVX (28), XCR0 enables the XMM and YMM
// state (bits 1, 2), and CPUID.(7,0):EBX has AVX2 (bit 5).
func hasAVX2FMA() bool {
	_, _, c, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if c&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, b, _, _ := cpuid(7, 0)
	return b&(1<<5) != 0
}

// hasAVX512 reports whether the CPU and OS support AVX-512F besides AVX2
// and FMA, on a CPU that also has AVX-512 VBMI: CPUID.(7,0):EBX bit 16,
// ECX bit 1, and XCR0 enabling the opmask and ZMM state (bits 5, 6, 7).
// VBMI leaves out Skylake-SP and Cascade Lake, whose cores lower their
// clock for a while after 512-bit multiply–adds (the rest of the frame
// would pay for it); Ice Lake and later, Zen 4 and Zen 5 have it.
func hasAVX512() bool {
	if !hasAVX2FMA() {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&0xe0 != 0xe0 {
		return false
	}
	_, b, c, _ := cpuid(7, 0)
	return b&(1<<16) != 0 && c&(1<<1) != 0
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// dotAVX2 returns Σ a[i]·b[i] over len(a) ≥ 1; len(b) ≥ len(a).
//
//go:noescape
func dotAVX2(a, b []float32) float32

// gemvAVX2 sets y[i] += Σ_j a[i·len(x)+j]·x[j]; len(a) ≥ len(y)·len(x) ≥ 1.
//
//go:noescape
func gemvAVX2(y, a, x []float32)

// dotAVX512 is dotAVX2 with AVX-512F (16 lanes, blocks of 64).
//
//go:noescape
func dotAVX512(a, b []float32) float32

// gemvAVX512 is gemvAVX2 with AVX-512F; each row is summed as dotAVX512.
//
//go:noescape
func gemvAVX512(y, a, x []float32)

// dotSSE is dotAVX2 with SSE.
//
//go:noescape
func dotSSE(a, b []float32) float32

// gemvSSE is gemvAVX2 with SSE.
//
//go:noescape
func gemvSSE(y, a, x []float32)

// convAVX2 sets y[p·ystride+o] = act(b[o] + Σ_{r<kin} w[r·wstride+o]·
// x[p·xstride+r]) for p < npos ≥ 1, o < nout ≤ 16 (see Conv); it reads w's
// rows and b 8 lanes wide (16 for nout > 8).
//
//go:noescape
func convAVX2(y []float32, ystride, nout int, w []float32, wstride int, b, x []float32, xstride, kin, npos int, slope float32)

// convAVX512 is convAVX2 for 8 < nout ≤ 16 with AVX-512F; it reads w's rows
// and b 16 lanes wide.
//
//go:noescape
func convAVX512(y []float32, ystride, nout int, w []float32, wstride int, b, x []float32, xstride, kin, npos int, slope float32)

// convDotAVX2 sets y[p] = act(b + Σ_{r<kin} w[r]·x[p·xstride+r]) for
// p < npos ≥ 1 (a Conv with one output); len(w) ≥ kin rounded up to a
// multiple of 8, the padding zero.
//
//go:noescape
func convDotAVX2(y, w []float32, b float32, x []float32, xstride, kin, npos int, slope float32)
