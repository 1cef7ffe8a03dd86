#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// DOTROW sums SI[0:CX]·DI[0:CX] into X0 (lane 0), using AX as the index:
// four 8-lane FMA accumulators over blocks of 32 (Y0…Y3), one over the
// remaining blocks of 8 (Y0), the lanes added pairwise, then the last
// len mod 8 products one by one. R11 = CX &^ 31, R12 = CX &^ 7.
#define DOTROW(loop32, loop8, reduce, tail, done) \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VXORPS Y2, Y2, Y2 \
	VXORPS Y3, Y3, Y3 \
	XORQ   AX, AX \
	CMPQ   R11, $0 \
	JE     loop8 \
loop32: \
	VMOVUPS     (SI)(AX*4), Y4 \
	VMOVUPS     32(SI)(AX*4), Y5 \
	VMOVUPS     64(SI)(AX*4), Y6 \
	VMOVUPS     96(SI)(AX*4), Y7 \
	VFMADD231PS (DI)(AX*4), Y4, Y0 \
	VFMADD231PS 32(DI)(AX*4), Y5, Y1 \
	VFMADD231PS 64(DI)(AX*4), Y6, Y2 \
	VFMADD231PS 96(DI)(AX*4), Y7, Y3 \
	ADDQ        $32, AX \
	CMPQ        AX, R11 \
	JLT         loop32 \
loop8: \
	CMPQ        AX, R12 \
	JGE         reduce \
	VMOVUPS     (SI)(AX*4), Y4 \
	VFMADD231PS (DI)(AX*4), Y4, Y0 \
	ADDQ        $8, AX \
	JMP         loop8 \
reduce: \
	VADDPS       Y1, Y0, Y0 \
	VADDPS       Y3, Y2, Y2 \
	VADDPS       Y2, Y0, Y0 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS       X1, X0, X0 \
	VHADDPS      X0, X0, X0 \
	VHADDPS      X0, X0, X0 \
tail: \
	CMPQ        AX, CX \
	JGE         done \
	VMOVSS      (SI)(AX*4), X1 \
	VFMADD231SS (DI)(AX*4), X1, X0 \
	INCQ        AX \
	JMP         tail \
done:

// func dotAVX2(a, b []float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
	MOVQ a_base+0(FP), SI
	MOVQ a_len+8(FP), CX
	MOVQ b_base+24(FP), DI
	MOVQ CX, R11
	ANDQ $-32, R11
	MOVQ CX, R12
	ANDQ $-8, R12
	DOTROW(d32, d8, dred, dtail, ddone)
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func gemvAVX2(y, a, x []float32)
TEXT ·gemvAVX2(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), R8
	MOVQ y_len+8(FP), R9
	MOVQ a_base+24(FP), SI
	MOVQ x_base+48(FP), DI
	MOVQ x_len+56(FP), CX
	MOVQ CX, R10
	SHLQ $2, R10
	MOVQ CX, R11
	ANDQ $-32, R11
	MOVQ CX, R12
	ANDQ $-8, R12
	XORQ BX, BX

grow:
	DOTROW(g32, g8, gred, gtail, gdone)
	VADDSS (R8)(BX*4), X0, X0
	VMOVSS X0, (R8)(BX*4)
	ADDQ   R10, SI
	INCQ   BX
	CMPQ   BX, R9
	JLT    grow
	VZEROUPPER
	RET

// DOTROWSSE is DOTROW for SSE (baseline amd64): four 4-lane accumulators
// X0…X3 over blocks of 16 (multiply, then add), one (X0) over the remaining
// blocks of 4, the lanes added as ((l0+l2) + (l1+l3)), then the last
// len mod 4 products one by one. R11 = CX &^ 15, R12 = CX &^ 3.
#define DOTROWSSE(loop16, loop4, reduce, tail, done) \
	XORPS X0, X0 \
	XORPS X1, X1 \
	XORPS X2, X2 \
	XORPS X3, X3 \
	XORQ  AX, AX \
	CMPQ  R11, $0 \
	JE    loop4 \
loop16: \
	MOVUPS (SI)(AX*4), X4 \
	MOVUPS 16(SI)(AX*4), X5 \
	MOVUPS 32(SI)(AX*4), X6 \
	MOVUPS 48(SI)(AX*4), X7 \
	MOVUPS (DI)(AX*4), X8 \
	MOVUPS 16(DI)(AX*4), X9 \
	MOVUPS 32(DI)(AX*4), X10 \
	MOVUPS 48(DI)(AX*4), X11 \
	MULPS  X8, X4 \
	MULPS  X9, X5 \
	MULPS  X10, X6 \
	MULPS  X11, X7 \
	ADDPS  X4, X0 \
	ADDPS  X5, X1 \
	ADDPS  X6, X2 \
	ADDPS  X7, X3 \
	ADDQ   $16, AX \
	CMPQ   AX, R11 \
	JLT    loop16 \
loop4: \
	CMPQ   AX, R12 \
	JGE    reduce \
	MOVUPS (SI)(AX*4), X4 \
	MOVUPS (DI)(AX*4), X8 \
	MULPS  X8, X4 \
	ADDPS  X4, X0 \
	ADDQ   $4, AX \
	JMP    loop4 \
reduce: \
	ADDPS   X1, X0 \
	ADDPS   X3, X2 \
	ADDPS   X2, X0 \
	MOVHLPS X0, X1 \
	ADDPS   X1, X0 \
	MOVAPS  X0, X1 \
	SHUFPS  $0x55, X1, X1 \
	ADDSS   X1, X0 \
tail: \
	CMPQ  AX, CX \
	JGE   done \
	MOVSS (SI)(AX*4), X1 \
	MULSS (DI)(AX*4), X1 \
	ADDSS X1, X0 \
	INCQ  AX \
	JMP   tail \
done:

// func dotSSE(a, b []float32) float32
TEXT ·dotSSE(SB), NOSPLIT, $0-52
	MOVQ a_base+0(FP), SI
	MOVQ a_len+8(FP), CX
	MOVQ b_base+24(FP), DI
	MOVQ CX, R11
	ANDQ $-16, R11
	MOVQ CX, R12
	ANDQ $-4, R12
	DOTROWSSE(s16, s4, sred, stail, sdone)
	MOVSS X0, ret+48(FP)
	RET

// func gemvSSE(y, a, x []float32)
TEXT ·gemvSSE(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), R8
	MOVQ y_len+8(FP), R9
	MOVQ a_base+24(FP), SI
	MOVQ x_base+48(FP), DI
	MOVQ x_len+56(FP), CX
	MOVQ CX, R10
	SHLQ $2, R10
	MOVQ CX, R11
	ANDQ $-16, R11
	MOVQ CX, R12
	ANDQ $-4, R12
	XORQ BX, BX

srow:
	DOTROWSSE(t16, t4, tred, ttail, tdone)
	ADDSS  (R8)(BX*4), X0
	MOVSS  X0, (R8)(BX*4)
	ADDQ   R10, SI
	INCQ   BX
	CMPQ   BX, R9
	JLT    srow
	RET

// The AVX-512F kernels sum a row in 16-lane blocks into two accumulators:
// blocks 0, 2, 4, … into A and 1, 3, 5, … into B while pairs remain, then
// a last whole block into A and the last partial block (len mod 16 lanes,
// masked by K1, the other lanes untouched) into B; then A + B, the halves
// folded (256, then 128 bits) and the four lanes added as
// (l0 + l1) + (l2 + l3). gemvAVX512 runs four rows at a time with the same
// order per row, so each of its rows equals dotAVX512 bit for bit. Register
// use: AX the index, CX = len, R11 = len &^ 31, R12 = len &^ 15, DI the
// vector, K1 the tail mask.

// TAILMASK sets K1 to the low CX mod 16 bits.
#define TAILMASK \
	MOVQ  CX, R13 \
	ANDQ  $15, CX \
	MOVQ  $1, DX \
	SHLQ  CX, DX \
	DECQ  DX \
	KMOVW DX, K1 \
	MOVQ  R13, CX

// ROW1 sums the row at SI into X0 (lane 0); it uses Z0, Z1, Z8, Z9.
#define ROW1(pairs, one, part, done) \
	VXORPS Z0, Z0, Z0 \
	VXORPS Z1, Z1, Z1 \
	XORQ   AX, AX \
	CMPQ   R11, $0 \
	JE     one \
pairs: \
	VMOVUPS     (DI)(AX*4), Z8 \
	VMOVUPS     64(DI)(AX*4), Z9 \
	VFMADD231PS (SI)(AX*4), Z8, Z0 \
	VFMADD231PS 64(SI)(AX*4), Z9, Z1 \
	ADDQ        $32, AX \
	CMPQ        AX, R11 \
	JLT         pairs \
one: \
	CMPQ        AX, R12 \
	JGE         part \
	VMOVUPS     (DI)(AX*4), Z8 \
	VFMADD231PS (SI)(AX*4), Z8, Z0 \
	ADDQ        $16, AX \
part: \
	CMPQ        AX, CX \
	JGE         done \
	VMOVUPS     (DI)(AX*4), K1, Z8 \
	VFMADD231PS (SI)(AX*4), Z8, K1, Z1 \
done: \
	VADDPS        Z1, Z0, Z0 \
	VEXTRACTF32X8 $1, Z0, Y1 \
	VADDPS        Y1, Y0, Y0 \
	VEXTRACTF128  $1, Y0, X1 \
	VADDPS        X1, X0, X0 \
	VHADDPS       X0, X0, X0 \
	VHADDPS       X0, X0, X0

// FOLD folds the 16 lanes of Z(a) + Z(b) to four in X(a).
#define FOLD(za, zb, ya, yt, xa, xt) \
	VADDPS        zb, za, za \
	VEXTRACTF32X8 $1, za, yt \
	VADDPS        yt, ya, ya \
	VEXTRACTF128  $1, ya, xt \
	VADDPS        xt, xa, xa

// func dotAVX512(a, b []float32) float32
TEXT ·dotAVX512(SB), NOSPLIT, $0-52
	MOVQ a_base+0(FP), SI
	MOVQ a_len+8(FP), CX
	MOVQ b_base+24(FP), DI
	MOVQ CX, R11
	ANDQ $-32, R11
	MOVQ CX, R12
	ANDQ $-16, R12
	TAILMASK
	ROW1(dpairs, done_, dpart, ddone)
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func gemvAVX512(y, a, x []float32)
//
// R8 walks y, R9 counts the rows left, R10 is a row's length in bytes; the
// four rows of a block start at SI, R13 (= SI + R10), DX and BX.
TEXT ·gemvAVX512(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), R8
	MOVQ y_len+8(FP), R9
	MOVQ a_base+24(FP), SI
	MOVQ x_base+48(FP), DI
	MOVQ x_len+56(FP), CX
	MOVQ CX, R10
	SHLQ $2, R10
	MOVQ CX, R11
	ANDQ $-32, R11
	MOVQ CX, R12
	ANDQ $-16, R12
	TAILMASK

rows4:
	CMPQ   R9, $4
	JLT    rows1
	LEAQ   (SI)(R10*1), R13
	LEAQ   (SI)(R10*2), DX
	LEAQ   (R13)(R10*2), BX
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	XORQ   AX, AX
	CMPQ   R11, $0
	JE     g4one

g4pairs:
	VMOVUPS     (DI)(AX*4), Z8
	VMOVUPS     64(DI)(AX*4), Z9
	VFMADD231PS (SI)(AX*4), Z8, Z0
	VFMADD231PS 64(SI)(AX*4), Z9, Z1
	VFMADD231PS (R13)(AX*4), Z8, Z2
	VFMADD231PS 64(R13)(AX*4), Z9, Z3
	VFMADD231PS (DX)(AX*4), Z8, Z4
	VFMADD231PS 64(DX)(AX*4), Z9, Z5
	VFMADD231PS (BX)(AX*4), Z8, Z6
	VFMADD231PS 64(BX)(AX*4), Z9, Z7
	ADDQ        $32, AX
	CMPQ        AX, R11
	JLT         g4pairs

g4one:
	CMPQ        AX, R12
	JGE         g4part
	VMOVUPS     (DI)(AX*4), Z8
	VFMADD231PS (SI)(AX*4), Z8, Z0
	VFMADD231PS (R13)(AX*4), Z8, Z2
	VFMADD231PS (DX)(AX*4), Z8, Z4
	VFMADD231PS (BX)(AX*4), Z8, Z6
	ADDQ        $16, AX

g4part:
	CMPQ        AX, CX
	JGE         g4red
	VMOVUPS     (DI)(AX*4), K1, Z8
	VFMADD231PS (SI)(AX*4), Z8, K1, Z1
	VFMADD231PS (R13)(AX*4), Z8, K1, Z3
	VFMADD231PS (DX)(AX*4), Z8, K1, Z5
	VFMADD231PS (BX)(AX*4), Z8, K1, Z7

g4red:
	FOLD(Z0, Z1, Y0, Y1, X0, X1)
	FOLD(Z2, Z3, Y2, Y3, X2, X3)
	FOLD(Z4, Z5, Y4, Y5, X4, X5)
	FOLD(Z6, Z7, Y6, Y7, X6, X7)
	VHADDPS X2, X0, X0
	VHADDPS X6, X4, X4
	VHADDPS X4, X0, X0
	VADDPS  (R8), X0, X0
	VMOVUPS X0, (R8)
	ADDQ    $16, R8
	LEAQ    (SI)(R10*4), SI
	SUBQ    $4, R9
	JMP     rows4

rows1:
	CMPQ   R9, $0
	JE     gdone
	ROW1(g1pairs, g1one, g1part, g1done)
	VADDSS (R8), X0, X0
	VMOVSS X0, (R8)
	ADDQ   $4, R8
	ADDQ   R10, SI
	DECQ   R9
	JMP    rows1

gdone:
	VZEROUPPER
	RET
