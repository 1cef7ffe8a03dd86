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
