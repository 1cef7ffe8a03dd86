package fastmath

import "golang.org/x/sys/cpu"

var useAVX2 = cpu.X86.HasAVX2

// logAVX2 is LogVec for len(src) a positive multiple of 4, len(dst) ≥ len(src).
//
//go:noescape
func logAVX2(dst, src []float64, k *[12]float64)
