#include "textflag.h"

// func highBandAVX2(out []float32, x []complex128, noise, clean []float64, k *[5]float64)
// Four bins at a time: P = |x|², N ← N + upd·(P − N), n = N + 1e-30,
// ν = α·S + (1−α)·max(P − n, 0), g² = p·ν/(ν + n), S ← g²·P, out = √g².
TEXT ·highBandAVX2(SB), NOSPLIT, $0-104
	MOVQ         out_base+0(FP), DI
	MOVQ         out_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         noise_base+48(FP), R8
	MOVQ         clean_base+72(FP), R9
	MOVQ         k+96(FP), DX
	SHRQ         $2, CX
	VBROADCASTSD 0(DX), Y15  // upd
	VBROADCASTSD 8(DX), Y14  // p
	VBROADCASTSD 16(DX), Y13 // α
	VBROADCASTSD 24(DX), Y12 // 1 − α
	VBROADCASTSD 32(DX), Y11 // 1e-30
	VXORPD       Y10, Y10, Y10

hbloop:
	VMOVUPD    (SI), Y0
	VMOVUPD    32(SI), Y1
	VMULPD     Y0, Y0, Y0
	VMULPD     Y1, Y1, Y1
	VHADDPD    Y1, Y0, Y2
	VPERMPD    $0xd8, Y2, Y2  // P
	VMOVUPD    (R8), Y3       // N
	VSUBPD     Y3, Y2, Y4
	VMULPD     Y4, Y15, Y4
	VADDPD     Y4, Y3, Y3     // N + upd·(P − N)
	VMOVUPD    Y3, (R8)
	VADDPD     Y11, Y3, Y3    // n
	VSUBPD     Y3, Y2, Y4
	VMAXPD     Y10, Y4, Y4    // max(P − n, 0)
	VMULPD     Y4, Y12, Y4
	VMOVUPD    (R9), Y5
	VMULPD     Y5, Y13, Y5
	VADDPD     Y4, Y5, Y5     // ν
	VMULPD     Y5, Y14, Y6    // p·ν
	VADDPD     Y3, Y5, Y7     // ν + n
	VDIVPD     Y7, Y6, Y6     // g²
	VMULPD     Y2, Y6, Y7
	VMOVUPD    Y7, (R9)       // S = g²·P
	VSQRTPD    Y6, Y6
	VCVTPD2PSY Y6, X6
	VMOVUPS    X6, (DI)
	ADDQ       $64, SI
	ADDQ       $32, R8
	ADDQ       $32, R9
	ADDQ       $16, DI
	DECQ       CX
	JNZ        hbloop
	VZEROUPPER
	RET

// func gainsAVX2(out, x []complex128, gain []float32, c *[3]float32, acc *[12]float64)
// Four bins at a time: P = |x|², sums P, P·gain; g = mix·max(gain, floor) +
// (1 − mix) in float32 (a NaN gain stays NaN, as with Go's max); gain ← g,
// out = g·x, sum P·g·g.
TEXT ·gainsAVX2(SB), NOSPLIT, $0-88
	MOVQ         out_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	MOVQ         gain_base+48(FP), R8
	MOVQ         c+72(FP), DX
	MOVQ         acc+80(FP), R9
	SHRQ         $2, CX
	VBROADCASTSS 0(DX), X15  // floor
	VBROADCASTSS 4(DX), X14  // mix
	VBROADCASTSS 8(DX), X13  // 1 − mix
	VXORPD       Y12, Y12, Y12 // Σ P
	VXORPD       Y11, Y11, Y11 // Σ P·gain
	VXORPD       Y10, Y10, Y10 // Σ P·g·g

gloop:
	VMOVUPD    (SI), Y0
	VMOVUPD    32(SI), Y1
	VMULPD     Y0, Y0, Y2
	VMULPD     Y1, Y1, Y3
	VHADDPD    Y3, Y2, Y2
	VPERMPD    $0xd8, Y2, Y2 // P
	VADDPD     Y2, Y12, Y12
	VMOVUPS    (R8), X4      // gain
	VCVTPS2PD  X4, Y5
	VMULPD     Y5, Y2, Y5
	VADDPD     Y5, Y11, Y11
	VMAXPS     X4, X15, X4   // floor > gain ? floor : gain
	VMULPS     X4, X14, X4
	VADDPS     X13, X4, X4   // g
	VMOVUPS    X4, (R8)
	VCVTPS2PD  X4, Y6
	VPERMPD    $0x50, Y6, Y7 // g0 g0 g1 g1
	VPERMPD    $0xfa, Y6, Y8 // g2 g2 g3 g3
	VMULPD     Y7, Y0, Y0
	VMULPD     Y8, Y1, Y1
	VMOVUPD    Y0, (DI)
	VMOVUPD    Y1, 32(DI)
	VMULPD     Y6, Y2, Y2
	VMULPD     Y6, Y2, Y2
	VADDPD     Y2, Y10, Y10
	ADDQ       $64, SI
	ADDQ       $64, DI
	ADDQ       $16, R8
	DECQ       CX
	JNZ        gloop
	VMOVUPD    Y12, 0(R9)
	VMOVUPD    Y11, 32(R9)
	VMOVUPD    Y10, 64(R9)
	VZEROUPPER
	RET
