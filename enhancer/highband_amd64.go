package enhancer

import "golang.org/x/sys/cpu"

// useAVX2 selects highBandAVX2 for the high-band loop.
var useAVX2 = cpu.X86.HasAVX2

// highBandAVX2 is the loop of highBand.fill over len(out), a multiple of 4,
// with k = {upd, p, α, 1 − α, 1e-30}: the Go loop's operations in its order,
// four bins at a time, so it rounds the same.
//
//go:noescape
func highBandAVX2(out []float32, x []complex128, noise, clean []float64, k *[5]float64)

// gainsAVX2 is applyGains' loop (not bypass) over len(x), a multiple of 4,
// with c = {floor, mix, 1 − mix}; acc receives the four running sums of
// ein, eg and eout.
//
//go:noescape
func gainsAVX2(out, x []complex128, gain []float32, c *[3]float32, acc *[12]float64)
