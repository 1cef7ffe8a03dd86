package enhancer

// applyGains applies the controls and the gains to one frame: for every bin
// k, with g_k = mix·max(gain_k, floor) + (1 − mix) (mix·1 + (1 − mix) when
// bypass), in float32 as the gains are, it sets gain_k ← g_k and
// out_k = g_k·x_k, and it returns the frame's energies
//
//	ein = Σ_k |x_k|²,  eg = Σ_k |x_k|²·gain_k (before the controls),  eout = Σ_k |x_k|²·g_k².
//
// With AVX2 (and not bypass) four bins go at a time; the gains and out are
// the same bit for bit, and the three sums are formed as four running sums
// each (so they round differently, within float64 accuracy).
func applyGains(out, x []complex128, gain []float32, floor, mix float32, bypass bool) (ein, eg, eout float64) {
	out, gain = out[:len(x)], gain[:len(x)]
	k := 0
	if n := len(x) &^ 3; useAVX2 && !bypass && n > 0 {
		var acc [12]float64
		c := [3]float32{floor, mix, 1 - mix}
		gainsAVX2(out[:n], x[:n], gain[:n], &c, &acc)
		ein = acc[0] + acc[1] + acc[2] + acc[3]
		eg = acc[4] + acc[5] + acc[6] + acc[7]
		eout = acc[8] + acc[9] + acc[10] + acc[11]
		k = n
	}
	for ; k < len(x); k++ {
		c := x[k]
		p := real(c)*real(c) + imag(c)*imag(c)
		ein += p
		eg += p * float64(gain[k])
		g := max(gain[k], floor)
		if bypass {
			g = 1
		}
		g = mix*g + (1 - mix)
		gain[k] = g
		out[k] = complex(real(c)*float64(g), imag(c)*float64(g))
		eout += p * float64(g) * float64(g)
	}
	return ein, eg, eout
}
