#include "textflag.h"

// AVX2 kernels of the Stockham passes in fftcore.go, two complex128 values
// (re, im, re, im) per Y register. Each mirrors its Go pass operation for
// operation; see there for the math.

// The sign bit of the imaginary parts: XOR after swapping re and im turns
// (a, b) into (b, −a) = −i·(a + ib).
DATA negim<>+0(SB)/8, $0x0000000000000000
DATA negim<>+8(SB)/8, $0x8000000000000000
DATA negim<>+16(SB)/8, $0x0000000000000000
DATA negim<>+24(SB)/8, $0x8000000000000000
GLOBL negim<>(SB), RODATA|NOPTR, $32

// MULNEGI sets v to −i·v; Y15 holds negim.
#define MULNEGI(v) \
	VPERMILPD $5, v, v; \
	VXORPD    Y15, v, v

// CMUL sets v to v·w for w = wr + i·wi (wr, wi broadcast): (ac − bd, bc + ad)
// for v = a + ib, w = c + id, as Go's complex product rounds it.
#define CMUL(v, wr, wi, tmp) \
	VPERMILPD $5, v, tmp; \
	VMULPD    wi, tmp, tmp; \
	VMULPD    wr, v, v; \
	VADDSUBPD tmp, v, v

// func pass4AVX2(y, x, tw []complex128, s, m int)
TEXT ·pass4AVX2(SB), NOSPLIT, $0-88
	MOVQ    y_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    tw_base+48(FP), DX
	MOVQ    s+72(FP), CX
	MOVQ    m+80(FP), R8
	VMOVUPD negim<>(SB), Y15
	MOVQ    CX, R9
	SHLQ    $4, R9           // R9 = 16s, bytes of a row
	MOVQ    R9, R10
	IMULQ   R8, R10          // R10 = 16sm, from input row t to row t+1
	LEAQ    (R10)(R10*2), R14 // 3·R10
	LEAQ    (R9)(R9*2), R13   // 3·R9

p4loop:
	VBROADCASTSD 0(DX), Y4
	VBROADCASTSD 8(DX), Y5
	VBROADCASTSD 16(DX), Y6
	VBROADCASTSD 24(DX), Y7
	VBROADCASTSD 32(DX), Y8
	VBROADCASTSD 40(DX), Y9
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ CX, R12

p4q:
	VMOVUPD (AX), Y0
	VMOVUPD (AX)(R10*1), Y1
	VMOVUPD (AX)(R10*2), Y2
	VMOVUPD (AX)(R14*1), Y3
	VADDPD  Y2, Y0, Y10      // t0 = a0 + a2
	VSUBPD  Y2, Y0, Y11      // t1 = a0 − a2
	VADDPD  Y3, Y1, Y12      // t2 = a1 + a3
	VSUBPD  Y3, Y1, Y13
	MULNEGI(Y13)             // t3 = −i(a1 − a3)
	VADDPD  Y12, Y10, Y0     // t0 + t2
	VADDPD  Y13, Y11, Y1     // t1 + t3
	VSUBPD  Y12, Y10, Y2     // t0 − t2
	VSUBPD  Y13, Y11, Y3     // t1 − t3
	CMUL(Y1, Y4, Y5, Y12)
	CMUL(Y2, Y6, Y7, Y13)
	CMUL(Y3, Y8, Y9, Y14)
	VMOVUPD Y0, (BX)
	VMOVUPD Y1, (BX)(R9*1)
	VMOVUPD Y2, (BX)(R9*2)
	VMOVUPD Y3, (BX)(R13*1)
	ADDQ    $32, AX
	ADDQ    $32, BX
	SUBQ    $2, R12
	JNZ     p4q

	ADDQ R9, SI
	LEAQ (DI)(R9*4), DI
	ADDQ $48, DX
	DECQ R8
	JNZ  p4loop
	VZEROUPPER
	RET

// func pass4firstAVX2(y, x, tw []complex128, m int)
// Two butterflies p, p+1 at a time: their inputs are adjacent, their outputs
// y[4p … 4p+3] and y[4p+4 … 4p+7] are regrouped with VPERM2F128.
TEXT ·pass4firstAVX2(SB), NOSPLIT, $0-80
	MOVQ    y_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    tw_base+48(FP), DX
	MOVQ    m+72(FP), R8
	VMOVUPD negim<>(SB), Y15
	MOVQ    R8, R10
	SHLQ    $4, R10          // R10 = 16m, from input row t to row t+1
	LEAQ    (R10)(R10*2), R14

p4floop:
	VMOVUPD (SI), Y0
	VMOVUPD (SI)(R10*1), Y1
	VMOVUPD (SI)(R10*2), Y2
	VMOVUPD (SI)(R14*1), Y3
	VADDPD  Y2, Y0, Y10
	VSUBPD  Y2, Y0, Y11
	VADDPD  Y3, Y1, Y12
	VSUBPD  Y3, Y1, Y13
	MULNEGI(Y13)
	VADDPD  Y12, Y10, Y0
	VADDPD  Y13, Y11, Y1
	VSUBPD  Y12, Y10, Y2
	VSUBPD  Y13, Y11, Y3

	// twiddles of p and p+1: tw[3p+u−1] and tw[3p+2+u]
	VMOVUPD     0(DX), X4
	VINSERTF128 $1, 48(DX), Y4, Y4
	VMOVDDUP    Y4, Y5
	VPERMILPD   $15, Y4, Y6
	CMUL(Y1, Y5, Y6, Y12)
	VMOVUPD     16(DX), X4
	VINSERTF128 $1, 64(DX), Y4, Y4
	VMOVDDUP    Y4, Y5
	VPERMILPD   $15, Y4, Y6
	CMUL(Y2, Y5, Y6, Y12)
	VMOVUPD     32(DX), X4
	VINSERTF128 $1, 80(DX), Y4, Y4
	VMOVDDUP    Y4, Y5
	VPERMILPD   $15, Y4, Y6
	CMUL(Y3, Y5, Y6, Y12)

	VPERM2F128 $0x20, Y1, Y0, Y7 // c0(p), c1(p)
	VPERM2F128 $0x20, Y3, Y2, Y8 // c2(p), c3(p)
	VPERM2F128 $0x31, Y1, Y0, Y9 // c0(p+1), c1(p+1)
	VPERM2F128 $0x31, Y3, Y2, Y10
	VMOVUPD    Y7, 0(DI)
	VMOVUPD    Y8, 32(DI)
	VMOVUPD    Y9, 64(DI)
	VMOVUPD    Y10, 96(DI)

	ADDQ $32, SI
	ADDQ $128, DI
	ADDQ $96, DX
	SUBQ $2, R8
	JNZ  p4floop
	VZEROUPPER
	RET

// func pass2AVX2(y, x, tw []complex128, s, m int)
TEXT ·pass2AVX2(SB), NOSPLIT, $0-88
	MOVQ  y_base+0(FP), DI
	MOVQ  x_base+24(FP), SI
	MOVQ  tw_base+48(FP), DX
	MOVQ  s+72(FP), CX
	MOVQ  m+80(FP), R8
	MOVQ  CX, R9
	SHLQ  $4, R9
	MOVQ  R9, R10
	IMULQ R8, R10

p2loop:
	VBROADCASTSD 0(DX), Y4
	VBROADCASTSD 8(DX), Y5
	MOVQ         SI, AX
	MOVQ         DI, BX
	MOVQ         CX, R12

p2q:
	VMOVUPD (AX), Y0
	VMOVUPD (AX)(R10*1), Y1
	VADDPD  Y1, Y0, Y2
	VSUBPD  Y1, Y0, Y3
	CMUL(Y3, Y4, Y5, Y6)
	VMOVUPD Y2, (BX)
	VMOVUPD Y3, (BX)(R9*1)
	ADDQ    $32, AX
	ADDQ    $32, BX
	SUBQ    $2, R12
	JNZ     p2q

	ADDQ R9, SI
	LEAQ (DI)(R9*2), DI
	ADDQ $16, DX
	DECQ R8
	JNZ  p2loop
	VZEROUPPER
	RET

// func pass3AVX2(y, x, tw []complex128, s, m, n int, k *[2]float64)
// Columns q < n (n even) of the radix-3 pass with stride s.
TEXT ·pass3AVX2(SB), NOSPLIT, $0-104
	MOVQ         y_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         tw_base+48(FP), DX
	MOVQ         s+72(FP), CX
	MOVQ         m+80(FP), R8
	MOVQ         n+88(FP), R13
	MOVQ         k+96(FP), R11
	VBROADCASTSD 0(R11), Y13 // ½
	VBROADCASTSD 8(R11), Y14 // √3/2
	VMOVUPD      negim<>(SB), Y15
	MOVQ         CX, R9
	SHLQ         $4, R9
	MOVQ         R9, R10
	IMULQ        R8, R10

p3loop:
	VBROADCASTSD 0(DX), Y4
	VBROADCASTSD 8(DX), Y5
	VBROADCASTSD 16(DX), Y6
	VBROADCASTSD 24(DX), Y7
	MOVQ         SI, AX
	MOVQ         DI, BX
	MOVQ         R13, R12

p3q:
	VMOVUPD (AX), Y0
	VMOVUPD (AX)(R10*1), Y1
	VMOVUPD (AX)(R10*2), Y2
	VADDPD  Y2, Y1, Y8       // t1 = a1 + a2
	VMULPD  Y13, Y8, Y9      // ½t1
	VSUBPD  Y9, Y0, Y9       // t2 = a0 − ½t1
	VSUBPD  Y2, Y1, Y10
	MULNEGI(Y10)
	VMULPD  Y14, Y10, Y10    // t3 = (√3/2)·(−i)(a1 − a2)
	VADDPD  Y8, Y0, Y0       // a0 + t1
	VADDPD  Y10, Y9, Y1      // t2 + t3
	VSUBPD  Y10, Y9, Y2      // t2 − t3
	CMUL(Y1, Y4, Y5, Y11)
	CMUL(Y2, Y6, Y7, Y12)
	VMOVUPD Y0, (BX)
	VMOVUPD Y1, (BX)(R9*1)
	VMOVUPD Y2, (BX)(R9*2)
	ADDQ    $32, AX
	ADDQ    $32, BX
	SUBQ    $2, R12
	JNZ     p3q

	ADDQ R9, SI
	LEAQ (DI)(R9*2), DI
	ADDQ R9, DI
	ADDQ $32, DX
	DECQ R8
	JNZ  p3loop
	VZEROUPPER
	RET

// func pass5lastAVX2(y, x []complex128, s int, k *[4]float64)
TEXT ·pass5lastAVX2(SB), NOSPLIT, $0-64
	MOVQ         y_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         s+48(FP), CX
	MOVQ         k+56(FP), R11
	VBROADCASTSD 0(R11), Y11 // cos θ
	VBROADCASTSD 8(R11), Y12 // cos 2θ
	VBROADCASTSD 16(R11), Y13 // sin θ
	VBROADCASTSD 24(R11), Y14 // sin 2θ
	VMOVUPD      negim<>(SB), Y15
	MOVQ         CX, R9
	SHLQ         $4, R9      // 16s: rows of input and output alike (m = 1)
	LEAQ         (R9)(R9*2), R14

p5q:
	VMOVUPD (SI), Y0
	VMOVUPD (SI)(R9*1), Y1
	VMOVUPD (SI)(R9*2), Y2
	VMOVUPD (SI)(R14*1), Y3
	VMOVUPD (SI)(R9*4), Y4
	VADDPD  Y4, Y1, Y5       // b1 = a1 + a4
	VADDPD  Y3, Y2, Y6       // b2 = a2 + a3
	VSUBPD  Y4, Y1, Y7       // d1 = a1 − a4
	VSUBPD  Y3, Y2, Y8       // d2 = a2 − a3
	// e1 = a0 + cos θ·b1 + cos 2θ·b2 → Y1
	VMULPD  Y11, Y5, Y9
	VADDPD  Y9, Y0, Y1
	VMULPD  Y12, Y6, Y9
	VADDPD  Y9, Y1, Y1
	// e2 = a0 + cos 2θ·b1 + cos θ·b2 → Y2
	VMULPD  Y12, Y5, Y9
	VADDPD  Y9, Y0, Y2
	VMULPD  Y11, Y6, Y9
	VADDPD  Y9, Y2, Y2
	// f1 = −i(sin θ·d1 + sin 2θ·d2) → Y3
	VMULPD  Y13, Y7, Y3
	VMULPD  Y14, Y8, Y9
	VADDPD  Y9, Y3, Y3
	MULNEGI(Y3)
	// f2 = −i(sin 2θ·d1 − sin θ·d2) → Y4
	VMULPD  Y14, Y7, Y4
	VMULPD  Y13, Y8, Y9
	VSUBPD  Y9, Y4, Y4
	MULNEGI(Y4)
	// c0 = a0 + b1 + b2
	VADDPD  Y5, Y0, Y0
	VADDPD  Y6, Y0, Y0
	VADDPD  Y3, Y1, Y5       // c1 = e1 + f1
	VSUBPD  Y3, Y1, Y8       // c4 = e1 − f1
	VADDPD  Y4, Y2, Y6       // c2 = e2 + f2
	VSUBPD  Y4, Y2, Y7       // c3 = e2 − f2
	VMOVUPD Y0, (DI)
	VMOVUPD Y5, (DI)(R9*1)
	VMOVUPD Y6, (DI)(R9*2)
	VMOVUPD Y7, (DI)(R14*1)
	VMOVUPD Y8, (DI)(R9*4)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $2, CX
	JNZ     p5q
	VZEROUPPER
	RET

// The sign bit of the real parts: (a, b) → (−a, b).
DATA negre<>+0(SB)/8, $0x8000000000000000
DATA negre<>+8(SB)/8, $0x0000000000000000
DATA negre<>+16(SB)/8, $0x8000000000000000
DATA negre<>+24(SB)/8, $0x0000000000000000
GLOBL negre<>(SB), RODATA|NOPTR, $32

// func packAVX2f32(z []complex128, x []float32, w []float64)
// z[j] = (float64(x[2j])·w[2j], float64(x[2j+1])·w[2j+1]), len(z) even.
TEXT ·packAVX2f32(SB), NOSPLIT, $0-72
	MOVQ z_base+0(FP), DI
	MOVQ z_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ w_base+48(FP), DX
	SHRQ $1, CX

pack32loop:
	VCVTPS2PD (SI), Y0
	VMULPD    (DX), Y0, Y0
	VMOVUPD   Y0, (DI)
	ADDQ      $16, SI
	ADDQ      $32, DX
	ADDQ      $32, DI
	DECQ      CX
	JNZ       pack32loop
	VZEROUPPER
	RET

// func untangleFwdAVX2(dst, z, tw []complex128, m, pairs int)
// For k = 1 … 2·pairs (all with 2k < m), two k at a time:
// e = ½(z_k + z*_{m−k}), o = ½·(−i)(z_k − z*_{m−k}), t = tw_k·o,
// dst[k] = e + t, dst[m−k] = (e − t)*.
TEXT ·untangleFwdAVX2(SB), NOSPLIT, $0-88
	MOVQ         dst_base+0(FP), DI
	MOVQ         z_base+24(FP), SI
	MOVQ         tw_base+48(FP), DX
	MOVQ         m+72(FP), R8
	MOVQ         pairs+80(FP), CX
	VMOVUPD      negim<>(SB), Y15
	MOVQ         $0x3fe0000000000000, AX // ½
	MOVQ         AX, X14
	VBROADCASTSD X14, Y14
	SHLQ         $4, R8
	LEAQ         -32(SI)(R8*1), R9  // &z[m−2]: z[m−k−1], k = 1
	LEAQ         -32(DI)(R8*1), R10 // &dst[m−2]
	ADDQ         $16, SI            // &z[1]
	ADDQ         $16, DI
	ADDQ         $16, DX

ufloop:
	VMOVUPD    (SI), Y0            // z_k, z_k+1
	VMOVUPD    (R9), Y1            // z_{m−k−1}, z_{m−k}
	VPERM2F128 $1, Y1, Y1, Y1      // z_{m−k}, z_{m−k−1}
	VXORPD     Y15, Y1, Y1         // conjugates
	VADDPD     Y1, Y0, Y2
	VMULPD     Y14, Y2, Y2         // e
	VSUBPD     Y1, Y0, Y3
	MULNEGI(Y3)
	VMULPD     Y14, Y3, Y3         // o
	VMOVUPD    (DX), Y4
	VMOVDDUP   Y4, Y5
	VPERMILPD  $15, Y4, Y6
	CMUL(Y3, Y5, Y6, Y7)           // t
	VADDPD     Y3, Y2, Y0
	VSUBPD     Y3, Y2, Y1
	VXORPD     Y15, Y1, Y1
	VPERM2F128 $1, Y1, Y1, Y1
	VMOVUPD    Y0, (DI)
	VMOVUPD    Y1, (R10)
	ADDQ       $32, SI
	ADDQ       $32, DI
	ADDQ       $32, DX
	SUBQ       $32, R9
	SUBQ       $32, R10
	DECQ       CX
	JNZ        ufloop
	VZEROUPPER
	RET

// func untangleInvAVX2(y, X, tw []complex128, m, pairs int)
// For k = 1 … 2·pairs (all with 2k < m), two k at a time:
// a = X_k + X*_{m−k}, c = tw*_k·(X_k − X*_{m−k}), y[k] = (a + ic)*,
// y[m−k] = a − ic.
TEXT ·untangleInvAVX2(SB), NOSPLIT, $0-88
	MOVQ    y_base+0(FP), DI
	MOVQ    X_base+24(FP), SI
	MOVQ    tw_base+48(FP), DX
	MOVQ    m+72(FP), R8
	MOVQ    pairs+80(FP), CX
	VMOVUPD negim<>(SB), Y15
	VMOVUPD negre<>(SB), Y14
	SHLQ    $4, R8
	LEAQ    -32(SI)(R8*1), R9
	LEAQ    -32(DI)(R8*1), R10
	ADDQ    $16, SI
	ADDQ    $16, DI
	ADDQ    $16, DX

uiloop:
	VMOVUPD    (SI), Y0
	VMOVUPD    (R9), Y1
	VPERM2F128 $1, Y1, Y1, Y1
	VXORPD     Y15, Y1, Y1         // X*_{m−k}
	VADDPD     Y1, Y0, Y2          // a
	VSUBPD     Y1, Y0, Y3          // X_k − X*_{m−k}
	VMOVUPD    (DX), Y4
	VXORPD     Y15, Y4, Y4         // tw*
	VMOVDDUP   Y4, Y5
	VPERMILPD  $15, Y4, Y6
	CMUL(Y3, Y5, Y6, Y7)           // c
	VPERMILPD  $5, Y3, Y3
	VXORPD     Y14, Y3, Y3         // ic = (−c.im, c.re)
	VADDPD     Y3, Y2, Y0
	VXORPD     Y15, Y0, Y0         // (a + ic)*
	VSUBPD     Y3, Y2, Y1          // a − ic
	VPERM2F128 $1, Y1, Y1, Y1
	VMOVUPD    Y0, (DI)
	VMOVUPD    Y1, (R10)
	ADDQ       $32, SI
	ADDQ       $32, DI
	ADDQ       $32, DX
	SUBQ       $32, R9
	SUBQ       $32, R10
	DECQ       CX
	JNZ        uiloop
	VZEROUPPER
	RET

// func olaAVX2(out []float32, ola []float64, z []complex128, ws []float64)
// With y the 2h reals of z and h = len(out) a multiple of 4:
// out[i] = float32(ola[i] + y[i]·ws[i]) for i < h, then
// ola[i] = y[h+i]·ws[h+i].
TEXT ·olaAVX2(SB), NOSPLIT, $0-96
	MOVQ out_base+0(FP), DI
	MOVQ out_len+8(FP), CX
	MOVQ ola_base+24(FP), R8
	MOVQ z_base+48(FP), SI
	MOVQ ws_base+72(FP), DX
	SHRQ $2, CX
	MOVQ CX, R9
	MOVQ R8, R10

olaout:
	VMOVUPD    (SI), Y0
	VMULPD     (DX), Y0, Y0
	VADDPD     (R8), Y0, Y0
	VCVTPD2PSY Y0, X0
	VMOVUPS    X0, (DI)
	ADDQ       $32, SI
	ADDQ       $32, DX
	ADDQ       $32, R8
	ADDQ       $16, DI
	DECQ       CX
	JNZ        olaout

olakeep:
	VMOVUPD (SI), Y0
	VMULPD  (DX), Y0, Y0
	VMOVUPD Y0, (R10)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R10
	DECQ    R9
	JNZ     olakeep
	VZEROUPPER
	RET

// BFLY7PAIR computes outputs u and 7−u of the radix-7 butterfly into Y12
// and Y13: e = a0 + K[e1]·b1 + K[e2]·b2 + K[e3]·b3 and
// f = −i((K[f1]·d1 OP2 K[f2]·d2) OP3 K[f3]·d3), with the constants K at
// those byte offsets of R11; c_u = e + f, c_{7−u} = e − f, then times the
// twiddles at tu(DX) and tv(DX) unless CX (m) is 1. Y0 = a0, Y7…Y9 = b,
// Y1…Y3 = d; Y4…Y6 and Y10, Y11 are scratch.
#define BFLY7PAIR(e1, e2, e3, f1, f2, OP2, f3, OP3, tu, tv, skip) \
	VMULPD       e1(R11), Y7, Y10; \
	VADDPD       Y10, Y0, Y10; \
	VMULPD       e2(R11), Y8, Y11; \
	VADDPD       Y11, Y10, Y10; \
	VMULPD       e3(R11), Y9, Y11; \
	VADDPD       Y11, Y10, Y10; \
	VMULPD       f1(R11), Y1, Y11; \
	VMULPD       f2(R11), Y2, Y12; \
	OP2          Y12, Y11, Y11; \
	VMULPD       f3(R11), Y3, Y12; \
	OP3          Y12, Y11, Y11; \
	MULNEGI(Y11); \
	VADDPD       Y11, Y10, Y12; \
	VSUBPD       Y11, Y10, Y13; \
	CMPQ         CX, $1; \
	JEQ          skip; \
	VBROADCASTSD tu(DX), Y4; \
	VBROADCASTSD tu+8(DX), Y5; \
	CMUL(Y12, Y4, Y5, Y6); \
	VBROADCASTSD tv(DX), Y4; \
	VBROADCASTSD tv+8(DX), Y5; \
	CMUL(Y13, Y4, Y5, Y6); \
skip:

// func pass7AVX2(y, x, tw []complex128, s, m, n int, k *[6][4]float64)
// Columns q < n (n even) of the radix-7 pass with stride s: with
// b_j = a_j + a_{7−j}, d_j = a_j − a_{7−j}, e_u = a₀ + Σ_j cos(juθ)·b_j and
// f_u = −i Σ_j ±sin(juθ)·d_j (bfly7's order), c_u = e_u + f_u,
// c_{7−u} = e_u − f_u, times tw[6p+u−1] unless m = 1. k holds cos θ, cos 2θ,
// cos 3θ, sin θ, sin 2θ, sin 3θ, each four times.
TEXT ·pass7AVX2(SB), NOSPLIT, $0-104
	MOVQ    y_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    tw_base+48(FP), DX
	MOVQ    s+72(FP), CX
	MOVQ    m+80(FP), R8
	MOVQ    k+96(FP), R11
	VMOVUPD negim<>(SB), Y15
	MOVQ    CX, R9
	SHLQ    $4, R9           // R9 = 16s
	MOVQ    R9, R10
	IMULQ   R8, R10          // R10 = 16sm
	LEAQ    (R10)(R10*2), R14 // 3·R10
	MOVQ    R8, CX           // m, for the twiddle test (R8 counts down)

p7loop:
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ n+88(FP), R12

p7q:
	VMOVUPD (AX), Y0          // a0
	VMOVUPD (AX)(R10*1), Y1   // a1
	VMOVUPD (AX)(R14*2), Y6   // a6
	VADDPD  Y6, Y1, Y7        // b1
	VSUBPD  Y6, Y1, Y1        // d1
	VMOVUPD (AX)(R10*2), Y2   // a2
	LEAQ    (AX)(R10*1), R13
	VMOVUPD (R13)(R10*4), Y5  // a5
	VADDPD  Y5, Y2, Y8        // b2
	VSUBPD  Y5, Y2, Y2        // d2
	VMOVUPD (AX)(R14*1), Y3   // a3
	VMOVUPD (AX)(R10*4), Y4   // a4
	VADDPD  Y4, Y3, Y9        // b3
	VSUBPD  Y4, Y3, Y3        // d3

	// u = 1, 6: e1 = a0 + c1·b1 + c2·b2 + c3·b3, f1 = −i(s1·d1 + s2·d2 + s3·d3)
	BFLY7PAIR(0, 32, 64, 96, 128, VADDPD, 160, VADDPD, 0, 80, p7s1)
	VMOVUPD Y12, (BX)(R9*1)
	LEAQ    (R9)(R9*2), R13
	VMOVUPD Y13, (BX)(R13*2)

	// u = 2, 5: e2 = a0 + c2·b1 + c3·b2 + c1·b3, f2 = −i(s2·d1 − s3·d2 − s1·d3)
	BFLY7PAIR(32, 64, 0, 128, 160, VSUBPD, 96, VSUBPD, 16, 64, p7s2)
	VMOVUPD Y12, (BX)(R9*2)
	LEAQ    (BX)(R9*1), R13
	VMOVUPD Y13, (R13)(R9*4)

	// u = 3, 4: e3 = a0 + c3·b1 + c1·b2 + c2·b3, f3 = −i(s3·d1 − s1·d2 + s2·d3)
	BFLY7PAIR(64, 0, 32, 160, 96, VSUBPD, 128, VADDPD, 32, 48, p7s3)
	LEAQ    (R9)(R9*2), R13
	VMOVUPD Y12, (BX)(R13*1)
	VMOVUPD Y13, (BX)(R9*4)

	// c0 = a0 + b1 + b2 + b3
	VADDPD  Y7, Y0, Y0
	VADDPD  Y8, Y0, Y0
	VADDPD  Y9, Y0, Y0
	VMOVUPD Y0, (BX)

	ADDQ    $32, AX
	ADDQ    $32, BX
	SUBQ    $2, R12
	JNZ     p7q

	ADDQ R9, SI
	LEAQ (R9)(R9*2), R13
	LEAQ (DI)(R13*2), DI
	ADDQ R9, DI               // y advances 7·16s per p
	ADDQ $96, DX
	DECQ R8
	JNZ  p7loop
	VZEROUPPER
	RET
