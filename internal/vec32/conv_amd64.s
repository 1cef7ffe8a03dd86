#include "textflag.h"

// ACT applies the activation in place: v ← max(v, slope·v) with the slope
// in Y14 (for 0 ≤ slope ≤ 1 this is v for v ≥ 0, slope·v otherwise).
#define ACT(v) \
	VMULPS Y14, v, Y15 \
	VMAXPS Y15, v, v

// ACT8 applies ACT to Y0 … Y7.
#define ACT8 \
	ACT(Y0) \
	ACT(Y1) \
	ACT(Y2) \
	ACT(Y3) \
	ACT(Y4) \
	ACT(Y5) \
	ACT(Y6) \
	ACT(Y7)

// PSTORE stores the low DX lanes (1 … 8) of y (whose low half is x) at
// (R9); it clobbers y, x and R9.
#define PSTORE(y, x, part, two, one, done) \
	CMPQ         DX, $8 \
	JNE          part \
	VMOVUPS      y, (R9) \
	JMP          done \
part: \
	TESTQ        $4, DX \
	JZ           two \
	VMOVUPS      x, (R9) \
	VEXTRACTF128 $1, y, x \
	ADDQ         $16, R9 \
two: \
	TESTQ        $2, DX \
	JZ           one \
	VMOVSD       x, (R9) \
	VPSRLDQ      $8, x, x \
	ADDQ         $8, R9 \
one: \
	TESTQ        $1, DX \
	JZ           done \
	VMOVSS       x, (R9) \
done:

// NEXTSTORE stores y's low DX lanes at R11 and moves R11 on by ystride
// (R10 bytes).
#define NEXTSTORE(y, x, part, two, one, done) \
	MOVQ R11, R9 \
	PSTORE(y, x, part, two, one, done) \
	ADDQ R10, R11

// STORE2 stores the 8 + DX outputs of one position, a (full) and b
// (partial), at R9.
#define STORE2(a, b, x, part, two, one, done) \
	VMOVUPS a, (R9) \
	ADDQ    $32, R9 \
	PSTORE(b, x, part, two, one, done)

// func convAVX2(y []float32, ystride, nout int, w []float32, wstride int, b, x []float32, xstride, kin, npos int, slope float32)
//
// y[p·ystride+o] = act(b[o] + Σ_{r<kin} w[r·wstride+o]·x[p·xstride+r]) for
// p < npos, o < nout ≤ 16; w's rows and b are read 8 or 16 lanes wide.
//
// Registers: R8 y of the position group, R10 ystride bytes, SI x of the
// group, R13 xstride bytes, AX 3·xstride bytes, R12 wstride bytes, BX
// positions left, DX the width of the last 8-lane block, CX the tap
// counter, DI the weight row, R9 and R11 scratch pointers.
TEXT ·convAVX2(SB), NOSPLIT, $0-148
	MOVQ         y_base+0(FP), R8
	MOVQ         ystride+24(FP), R10
	SHLQ         $2, R10
	MOVQ         nout+32(FP), DX
	MOVQ         wstride+64(FP), R12
	SHLQ         $2, R12
	MOVQ         x_base+96(FP), SI
	MOVQ         xstride+120(FP), R13
	SHLQ         $2, R13
	LEAQ         (R13)(R13*2), AX
	MOVQ         npos+136(FP), BX
	VBROADCASTSS slope+144(FP), Y14
	CMPQ         DX, $8
	JLE          one8
	SUBQ         $8, DX

	// Two blocks (8 < nout ≤ 16): four positions at a time, Y0…Y7.
two4:
	CMPQ    BX, $4
	JLT     two1
	MOVQ    b_base+72(FP), DI
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y1, Y3
	VMOVAPS Y0, Y4
	VMOVAPS Y1, Y5
	VMOVAPS Y0, Y6
	VMOVAPS Y1, Y7
	MOVQ    w_base+40(FP), DI
	MOVQ    kin+128(FP), CX
	MOVQ    SI, R9

two4r:
	VMOVUPS      (DI), Y8
	VMOVUPS      32(DI), Y9
	VBROADCASTSS (R9), Y10
	VBROADCASTSS (R9)(R13*1), Y11
	VBROADCASTSS (R9)(R13*2), Y12
	VBROADCASTSS (R9)(AX*1), Y13
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ         $4, R9
	ADDQ         R12, DI
	DECQ         CX
	JNZ          two4r

	ACT8
	MOVQ   R8, R9
	STORE2(Y0, Y1, X1, t4a, t4b, t4c, t4d)
	LEAQ   (R8)(R10*1), R9
	STORE2(Y2, Y3, X3, t4e, t4f, t4g, t4h)
	LEAQ   (R8)(R10*2), R9
	STORE2(Y4, Y5, X5, t4i, t4j, t4k, t4l)
	LEAQ   (R8)(R10*2), R9
	ADDQ   R10, R9
	STORE2(Y6, Y7, X7, t4m, t4n, t4o, t4p)
	LEAQ   (R8)(R10*4), R8
	LEAQ   (SI)(R13*4), SI
	SUBQ   $4, BX
	JMP    two4

	// Two blocks, the last positions one at a time.
two1:
	TESTQ   BX, BX
	JZ      done
	MOVQ    b_base+72(FP), DI
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	MOVQ    w_base+40(FP), DI
	MOVQ    kin+128(FP), CX
	MOVQ    SI, R9

two1r:
	VBROADCASTSS (R9), Y10
	VFMADD231PS  (DI), Y10, Y0
	VFMADD231PS  32(DI), Y10, Y1
	ADDQ         $4, R9
	ADDQ         R12, DI
	DECQ         CX
	JNZ          two1r

	ACT(Y0)
	ACT(Y1)
	MOVQ   R8, R9
	STORE2(Y0, Y1, X1, t1a, t1b, t1c, t1d)
	ADDQ   R10, R8
	ADDQ   R13, SI
	DECQ   BX
	JMP    two1

	// One block (nout ≤ 8): eight positions at a time, Y0…Y7, the
	// second four read from R11 = SI + 4·xstride.
one8:
	CMPQ    BX, $8
	JLT     one1
	MOVQ    b_base+72(FP), DI
	VMOVUPS (DI), Y0
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y0, Y3
	VMOVAPS Y0, Y4
	VMOVAPS Y0, Y5
	VMOVAPS Y0, Y6
	VMOVAPS Y0, Y7
	MOVQ    w_base+40(FP), DI
	MOVQ    kin+128(FP), CX
	MOVQ    SI, R9
	LEAQ    (SI)(R13*4), R11

one8r:
	VMOVUPS      (DI), Y8
	VBROADCASTSS (R9), Y10
	VBROADCASTSS (R9)(R13*1), Y11
	VBROADCASTSS (R9)(R13*2), Y12
	VBROADCASTSS (R9)(AX*1), Y13
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y8, Y11, Y1
	VFMADD231PS  Y8, Y12, Y2
	VFMADD231PS  Y8, Y13, Y3
	VBROADCASTSS (R11), Y10
	VBROADCASTSS (R11)(R13*1), Y11
	VBROADCASTSS (R11)(R13*2), Y12
	VBROADCASTSS (R11)(AX*1), Y13
	VFMADD231PS  Y8, Y10, Y4
	VFMADD231PS  Y8, Y11, Y5
	VFMADD231PS  Y8, Y12, Y6
	VFMADD231PS  Y8, Y13, Y7
	ADDQ         $4, R9
	ADDQ         $4, R11
	ADDQ         R12, DI
	DECQ         CX
	JNZ          one8r

	ACT8
	MOVQ R8, R11
	NEXTSTORE(Y0, X0, o8a, o8b, o8c, o8d)
	NEXTSTORE(Y1, X1, o8e, o8f, o8g, o8h)
	NEXTSTORE(Y2, X2, o8i, o8j, o8k, o8l)
	NEXTSTORE(Y3, X3, o8m, o8n, o8o, o8p)
	NEXTSTORE(Y4, X4, o8q, o8r, o8s, o8t)
	NEXTSTORE(Y5, X5, o8u, o8v, o8w, o8x)
	NEXTSTORE(Y6, X6, o8y, o8z, o8A, o8B)
	NEXTSTORE(Y7, X7, o8C, o8D, o8E, o8F)
	LEAQ   (R8)(R10*8), R8
	LEAQ   (SI)(R13*8), SI
	SUBQ   $8, BX
	JMP    one8

	// One block, the last positions one at a time.
one1:
	TESTQ   BX, BX
	JZ      done
	MOVQ    b_base+72(FP), DI
	VMOVUPS (DI), Y0
	MOVQ    w_base+40(FP), DI
	MOVQ    kin+128(FP), CX
	MOVQ    SI, R9

one1r:
	VBROADCASTSS (R9), Y10
	VFMADD231PS  (DI), Y10, Y0
	ADDQ         $4, R9
	ADDQ         R12, DI
	DECQ         CX
	JNZ          one1r

	ACT(Y0)
	MOVQ   R8, R9
	PSTORE(Y0, X0, o1a, o1b, o1c, o1d)
	ADDQ   R10, R8
	ADDQ   R13, SI
	DECQ   BX
	JMP    one1

done:
	VZEROUPPER
	RET

// func convAVX512(y []float32, ystride, nout int, w []float32, wstride int, b, x []float32, xstride, kin, npos int, slope float32)
//
// convAVX2 for 8 < nout ≤ 16 with AVX-512F: one position's outputs in one
// 16-lane register, eight positions at a time (Z0…Z7), each input value
// broadcast by the multiply–add itself; w's rows and b are read 16 lanes
// wide, y written under the mask K1 = 2^nout − 1. Registers as in convAVX2.
// ACTZ is ACT for a 16-lane register.
#define ACTZ(v) \
	VMULPS Z14, v, Z15 \
	VMAXPS Z15, v, v

// ZSTORE stores the outputs of z (mask K1) at R9 and moves R9 on by
// ystride (R10 bytes).
#define ZSTORE(z) \
	VMOVUPS z, K1, (R9) \
	ADDQ    R10, R9

TEXT ·convAVX512(SB), NOSPLIT, $0-148
	MOVQ         y_base+0(FP), R8
	MOVQ         ystride+24(FP), R10
	SHLQ         $2, R10
	MOVQ         nout+32(FP), CX
	MOVQ         $1, DX
	SHLQ         CX, DX
	DECQ         DX
	KMOVW        DX, K1
	MOVQ         wstride+64(FP), R12
	SHLQ         $2, R12
	MOVQ         x_base+96(FP), SI
	MOVQ         xstride+120(FP), R13
	SHLQ         $2, R13
	LEAQ         (R13)(R13*2), AX
	MOVQ         npos+136(FP), BX
	VBROADCASTSS slope+144(FP), Z14

z8:
	CMPQ    BX, $8
	JLT     z1
	MOVQ    b_base+72(FP), DI
	VMOVUPS (DI), Z0
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z0, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z0, Z7
	MOVQ    w_base+40(FP), DI
	MOVQ    kin+128(FP), CX
	MOVQ    SI, R9
	LEAQ    (SI)(R13*4), R11

z8r:
	VMOVUPS          (DI), Z8
	VFMADD231PS.BCST (R9), Z8, Z0
	VFMADD231PS.BCST (R9)(R13*1), Z8, Z1
	VFMADD231PS.BCST (R9)(R13*2), Z8, Z2
	VFMADD231PS.BCST (R9)(AX*1), Z8, Z3
	VFMADD231PS.BCST (R11), Z8, Z4
	VFMADD231PS.BCST (R11)(R13*1), Z8, Z5
	VFMADD231PS.BCST (R11)(R13*2), Z8, Z6
	VFMADD231PS.BCST (R11)(AX*1), Z8, Z7
	ADDQ             $4, R9
	ADDQ             $4, R11
	ADDQ             R12, DI
	DECQ             CX
	JNZ              z8r

	ACTZ(Z0)
	ACTZ(Z1)
	ACTZ(Z2)
	ACTZ(Z3)
	ACTZ(Z4)
	ACTZ(Z5)
	ACTZ(Z6)
	ACTZ(Z7)
	MOVQ    R8, R9
	ZSTORE(Z0)
	ZSTORE(Z1)
	ZSTORE(Z2)
	ZSTORE(Z3)
	ZSTORE(Z4)
	ZSTORE(Z5)
	ZSTORE(Z6)
	ZSTORE(Z7)
	LEAQ    (R8)(R10*8), R8
	LEAQ    (SI)(R13*8), SI
	SUBQ    $8, BX
	JMP     z8

z1:
	TESTQ   BX, BX
	JZ      zdone
	MOVQ    b_base+72(FP), DI
	VMOVUPS (DI), Z0
	MOVQ    w_base+40(FP), DI
	MOVQ    kin+128(FP), CX
	MOVQ    SI, R9

z1r:
	VMOVUPS          (DI), Z8
	VFMADD231PS.BCST (R9), Z8, Z0
	ADDQ             $4, R9
	ADDQ             R12, DI
	DECQ             CX
	JNZ              z1r

	ACTZ(Z0)
	VMOVUPS Z0, K1, (R8)
	ADDQ    R10, R8
	ADDQ    R13, SI
	DECQ    BX
	JMP     z1

zdone:
	VZEROUPPER
	RET

// maskTail<> is eight all-ones words then eight zero words: the 8 words
// from word 8 − n are the mask of the first n lanes.
DATA maskTail<>+0(SB)/8, $0xffffffffffffffff
DATA maskTail<>+8(SB)/8, $0xffffffffffffffff
DATA maskTail<>+16(SB)/8, $0xffffffffffffffff
DATA maskTail<>+24(SB)/8, $0xffffffffffffffff
DATA maskTail<>+32(SB)/8, $0
DATA maskTail<>+40(SB)/8, $0
DATA maskTail<>+48(SB)/8, $0
DATA maskTail<>+56(SB)/8, $0
GLOBL maskTail<>(SB), RODATA|NOPTR, $64

// TAILX adds the last kin mod 8 values of a window (mem, through the mask
// Y13: lanes past the window are not read) times the weights in Y8 to acc.
#define TAILX(mem, acc) \
	VMASKMOVPS  mem, Y13, Y10 \
	VFMADD231PS Y10, Y8, acc

// HSUM8 leaves in Y8 the lane sums of Y0 … Y7 in that order, each as
// ((l0+l1) + (l2+l3)) + ((l4+l5) + (l6+l7)); it clobbers Y0 … Y7, Y9.
#define HSUM8 \
	VHADDPS    Y1, Y0, Y0 \
	VHADDPS    Y3, Y2, Y2 \
	VHADDPS    Y2, Y0, Y0 \
	VHADDPS    Y5, Y4, Y4 \
	VHADDPS    Y7, Y6, Y6 \
	VHADDPS    Y6, Y4, Y4 \
	VPERM2F128 $0x20, Y4, Y0, Y8 \
	VPERM2F128 $0x31, Y4, Y0, Y9 \
	VADDPS     Y9, Y8, Y8

// func convDotAVX2(y, w []float32, b float32, x []float32, xstride, kin, npos int, slope float32)
//
// y[p] = act(b + Σ_{r<kin} w[r]·x[p·xstride+r]) for p < npos ≥ 1 (one
// output: each window's dot product with w, zero-padded to a multiple of
// 8). Eight positions at a time, one 8-lane accumulator each (Y0…Y7), the
// lanes summed as HSUM8 does (also for the last positions, one at a time).
//
// Registers: R8 y, SI x of the position group, R9 and R11 x of its first
// and second four positions, R13 xstride bytes, AX 3·xstride bytes, DI
// the weights, CX the block counter, DX kin mod 8, BX positions left,
// Y12 b, Y13 the tail mask, Y14 the slope.
TEXT ·convDotAVX2(SB), NOSPLIT, $0-108
	MOVQ         y_base+0(FP), R8
	VBROADCASTSS b+48(FP), Y12
	MOVQ         x_base+56(FP), SI
	MOVQ         xstride+80(FP), R13
	SHLQ         $2, R13
	LEAQ         (R13)(R13*2), AX
	MOVQ         kin+88(FP), DX
	ANDQ         $7, DX
	MOVQ         npos+96(FP), BX
	VBROADCASTSS slope+104(FP), Y14
	LEAQ         maskTail<>+32(SB), R10
	MOVQ         DX, CX
	SHLQ         $2, CX
	SUBQ         CX, R10
	VMOVUPS      (R10), Y13

d8:
	CMPQ   BX, $8
	JLT    d1
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ   w_base+24(FP), DI
	MOVQ   SI, R9
	LEAQ   (SI)(R13*4), R11
	MOVQ   kin+88(FP), CX
	SHRQ   $3, CX
	JZ     d8t

d8r:
	VMOVUPS     (DI), Y8
	VFMADD231PS (R9), Y8, Y0
	VFMADD231PS (R9)(R13*1), Y8, Y1
	VFMADD231PS (R9)(R13*2), Y8, Y2
	VFMADD231PS (R9)(AX*1), Y8, Y3
	VFMADD231PS (R11), Y8, Y4
	VFMADD231PS (R11)(R13*1), Y8, Y5
	VFMADD231PS (R11)(R13*2), Y8, Y6
	VFMADD231PS (R11)(AX*1), Y8, Y7
	ADDQ        $32, DI
	ADDQ        $32, R9
	ADDQ        $32, R11
	DECQ        CX
	JNZ         d8r

d8t:
	TESTQ   DX, DX
	JZ      d8s
	VMOVUPS (DI), Y8
	TAILX((R9), Y0)
	TAILX((R9)(R13*1), Y1)
	TAILX((R9)(R13*2), Y2)
	TAILX((R9)(AX*1), Y3)
	TAILX((R11), Y4)
	TAILX((R11)(R13*1), Y5)
	TAILX((R11)(R13*2), Y6)
	TAILX((R11)(AX*1), Y7)

d8s:
	HSUM8
	VADDPS  Y12, Y8, Y8
	VMULPS  Y14, Y8, Y15
	VMAXPS  Y15, Y8, Y8
	VMOVUPS Y8, (R8)
	ADDQ    $32, R8
	LEAQ    (SI)(R13*8), SI
	SUBQ    $8, BX
	JMP     d8

d1:
	TESTQ  BX, BX
	JZ     ddone
	VXORPS Y0, Y0, Y0
	MOVQ   w_base+24(FP), DI
	MOVQ   SI, R9
	MOVQ   kin+88(FP), CX
	SHRQ   $3, CX
	JZ     d1t

d1r:
	VMOVUPS     (DI), Y8
	VFMADD231PS (R9), Y8, Y0
	ADDQ        $32, DI
	ADDQ        $32, R9
	DECQ        CX
	JNZ         d1r

d1t:
	TESTQ   DX, DX
	JZ      d1s
	VMOVUPS (DI), Y8
	TAILX((R9), Y0)

d1s:
	VHADDPS      Y0, Y0, Y0
	VHADDPS      Y0, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDSS       X1, X0, X0
	VADDSS       X12, X0, X0
	VMULSS       X14, X0, X15
	VMAXSS       X15, X0, X0
	VMOVSS       X0, (R8)
	ADDQ         $4, R8
	ADDQ         R13, SI
	DECQ         BX
	JMP          d1

ddone:
	VZEROUPPER
	RET
