package live

import (
	"math"
	"math/rand/v2"
)

// NoisySpeech is a generated stand-in for speech in noise, for timing the
// engine on realistic work: a harmonic voice (12 partials, pitch wandering
// 80–180 Hz) in syllable-like bursts (3 per second) over white noise, with one
// second in ten of digital silence. It returns frames×ch interleaved samples;
// every channel differs a little. The result depends on its arguments only.
func NoisySpeech(frames, rate, ch int) []float32 {
	r := rand.New(rand.NewPCG(11, 13))
	x := make([]float32, frames*ch)
	var ph float64
	for i := 0; i < frames; i++ {
		t := float64(i) / float64(rate)
		f0 := 130 + 50*math.Sin(2*math.Pi*0.4*t)
		ph += 2 * math.Pi * f0 / float64(rate)
		env := math.Max(0, math.Sin(2*math.Pi*3*t))
		var v float64
		for h := 1; h <= 12; h++ {
			v += math.Sin(float64(h)*ph) / float64(h)
		}
		silent := int(t)%10 == 9
		for c := 0; c < ch; c++ {
			if !silent {
				x[i*ch+c] = float32(0.15*env*v + 0.02*(r.Float64()*2-1))
			}
		}
	}
	return x
}
