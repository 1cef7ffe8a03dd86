package fastmath

import "golang.org/x/sys/cpu"

var useAVX2 = cpu.X86.HasAVX2

// logAVX2 is LogVec for len(src) a positive multiple of 4, len(dst) ≥ len(src).
//
//go:noescape
func logAVX2(dst, src []float64, k *[12]float64)

// actAVX2 is SigmoidVec or TanhVec (by k, see actConsts) for len(src) a
// positive multiple of 4, len(dst) ≥ len(src).
//
//go:noescape
func actAVX2(dst, src []float32, k *[9]float64, tab *[32]uint64)
