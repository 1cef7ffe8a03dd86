#include "textflag.h"

// func logAVX2(dst, src []float64, k *[12]float64)
// Log, four lanes at a time, with Log's operations in its order (no FMA):
// e = biased exponent, f = mantissa in [1, 2), halved (and e + 1) above √2,
// s = (f−1)/(f+1), p = 2s·(1 + s²(1/3 + s²(… + s²/13))), e·ln2 + p.
// The exponent becomes a double through 2^52: bits(2^52 | e) − 2^52 = e.
TEXT ·logAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	MOVQ k+48(FP), DX
	SHRQ $2, CX

	MOVQ         $0x800fffffffffffff, AX // clears the exponent
	MOVQ         AX, X15
	VPBROADCASTQ X15, Y15
	MOVQ         $0x3ff0000000000000, AX // exponent of [1, 2)
	MOVQ         AX, X14
	VPBROADCASTQ X14, Y14
	MOVQ         $0x4330000000000000, AX // 2^52
	MOVQ         AX, X13
	VPBROADCASTQ X13, Y13
	MOVQ         $0x7ff, AX
	MOVQ         AX, X12
	VPBROADCASTQ X12, Y12
	VBROADCASTSD 0(DX), Y11              // √2
	VBROADCASTSD 8(DX), Y10              // ½
	VBROADCASTSD 16(DX), Y9              // 1

logloop:
	VMOVUPD   (SI), Y0
	VPSRLQ    $52, Y0, Y1
	VPAND     Y12, Y1, Y1                // biased exponent
	VPAND     Y15, Y0, Y2
	VPOR      Y14, Y2, Y2                // f in [1, 2)
	VCMPPD    $0x1e, Y11, Y2, Y3         // f > √2
	VMULPD    Y10, Y2, Y4
	VBLENDVPD Y3, Y4, Y2, Y2             // f·½ there
	VPSUBQ    Y3, Y1, Y1                 // e + 1 there
	VPOR      Y13, Y1, Y1
	VSUBPD    Y13, Y1, Y1                // biased e as a double
	VBROADCASTSD 88(DX), Y4
	VSUBPD    Y4, Y1, Y1                 // e
	VSUBPD    Y9, Y2, Y4                 // f − 1
	VADDPD    Y9, Y2, Y5                 // f + 1
	VDIVPD    Y5, Y4, Y4                 // s
	VMULPD    Y4, Y4, Y5                 // s²
	VBROADCASTSD 72(DX), Y6              // 1/13
	VMULPD    Y6, Y5, Y6                 // s²/13
	VBROADCASTSD 64(DX), Y7              // 1/11
	VADDPD    Y6, Y7, Y6
	VMULPD    Y6, Y5, Y6
	VBROADCASTSD 56(DX), Y7              // 1/9
	VADDPD    Y6, Y7, Y6
	VMULPD    Y6, Y5, Y6
	VBROADCASTSD 48(DX), Y7              // 1/7
	VADDPD    Y6, Y7, Y6
	VMULPD    Y6, Y5, Y6
	VBROADCASTSD 40(DX), Y7              // 1/5
	VADDPD    Y6, Y7, Y6
	VMULPD    Y6, Y5, Y6
	VBROADCASTSD 32(DX), Y7              // 1/3
	VADDPD    Y6, Y7, Y6
	VMULPD    Y6, Y5, Y6
	VADDPD    Y6, Y9, Y6                 // 1 + …
	VBROADCASTSD 24(DX), Y7              // 2
	VMULPD    Y7, Y4, Y4                 // 2s
	VMULPD    Y6, Y4, Y4                 // p
	VBROADCASTSD 80(DX), Y7              // ln 2
	VMULPD    Y7, Y1, Y1
	VADDPD    Y4, Y1, Y1
	VMOVUPD   Y1, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       logloop
	VZEROUPPER
	RET
