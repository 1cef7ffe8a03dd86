#include "textflag.h"

// func actAVX2(dst, src []float32, k *[9]float64, tab *[32]uint64)
// SigmoidVec and TanhVec four at a time, with their operations in order:
// x clamped to ±L (a NaN stays NaN), e = expAct(x, s) through the table,
// out = float32(a − b/(e + 1)), with (a, b) = (0, −1) for σ (0 − (−1/(1+e))
// = 1/(1+e) exactly) and (1, 2) for tanh. k = {L, −L, s·32/ln2, a, b,
// 1.5·2⁵², ln2/32, (ln2/32)²/2, (ln2/32)³/6}.
TEXT ·actAVX2(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	MOVQ         k+48(FP), DX
	MOVQ         tab+56(FP), BX
	SHRQ         $2, CX
	VBROADCASTSD 0(DX), Y15  // L
	VBROADCASTSD 8(DX), Y14  // −L
	VBROADCASTSD 16(DX), Y13 // s·32/ln2
	VBROADCASTSD 40(DX), Y12 // 1.5·2⁵²
	VBROADCASTSD 48(DX), Y11 // C1
	VBROADCASTSD 56(DX), Y10 // C2
	VBROADCASTSD 64(DX), Y9  // C3
	MOVQ         $0x3ff0000000000000, AX
	MOVQ         AX, X8
	VBROADCASTSD X8, Y8      // 1
	MOVQ         $31, AX
	MOVQ         AX, X7
	VPBROADCASTQ X7, Y7      // 31

actloop:
	VCVTPS2PD  (SI), Y0
	VMINPD     Y0, Y15, Y0   // L < x ? L : x
	VMAXPD     Y0, Y14, Y0   // −L > x ? −L : x
	VMULPD     Y13, Y0, Y0   // z
	VADDPD     Y12, Y0, Y1   // kd
	VSUBPD     Y12, Y1, Y2
	VSUBPD     Y2, Y0, Y2    // r = z − (kd − shift)
	VPAND      Y7, Y1, Y3    // k mod 32
	VPSLLQ     $47, Y1, Y4   // k·2⁴⁷
	VPCMPEQQ   Y5, Y5, Y5
	VPXOR      Y6, Y6, Y6
	VPGATHERQQ Y5, (BX)(Y3*8), Y6
	VPADDQ     Y4, Y6, Y6    // bits of 2^(k/32)
	VMULPD     Y9, Y2, Y3    // r·C3
	VADDPD     Y3, Y10, Y3   // C2 + …
	VMULPD     Y3, Y2, Y3
	VADDPD     Y3, Y11, Y3   // C1 + …
	VMULPD     Y3, Y2, Y3
	VADDPD     Y3, Y8, Y3    // 1 + …
	VMULPD     Y3, Y6, Y3    // e
	VADDPD     Y8, Y3, Y3    // e + 1
	VBROADCASTSD 32(DX), Y4  // b
	VDIVPD     Y3, Y4, Y3    // b/(e + 1)
	VBROADCASTSD 24(DX), Y4  // a
	VSUBPD     Y3, Y4, Y3
	VCVTPD2PSY Y3, X3
	VMOVUPS    X3, (DI)
	ADDQ       $16, SI
	ADDQ       $16, DI
	DECQ       CX
	JNZ        actloop
	VZEROUPPER
	RET
