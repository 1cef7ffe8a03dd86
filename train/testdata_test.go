package train

import (
	"math"
	"math/rand"
)

// synthCorpus builds a tiny corpus of generated audio: "speech" is harmonic
// tones with a syllable-rate envelope per speaker, noise is coloured random
// noise, so tests run without ../shared.
func synthCorpus(seed int64) *Corpus {
	rng := rand.New(rand.NewSource(seed))
	c := &Corpus{}
	mk := func(n int, f0 float64) []float32 {
		x := make([]float32, n)
		ph := 0.0
		for i := range x {
			f := f0 * (1 + 0.1*math.Sin(2*math.Pi*0.7*float64(i)/SampleRate))
			ph += 2 * math.Pi * f / SampleRate
			env := 0.5 + 0.5*math.Sin(2*math.Pi*4*float64(i)/SampleRate)
			var s float64
			for h := 1; h <= 8; h++ {
				s += math.Sin(float64(h)*ph) / float64(h)
			}
			x[i] = float32(0.1 * env * env * s)
		}
		return x
	}
	for i := 0; i < 6; i++ {
		cl := Clip{Path: "spk", Group: string(rune('a' + i)), Samples: mk(3*SampleRate, 100+30*float64(i))}
		if i == 0 {
			c.ValSpeech = append(c.ValSpeech, cl)
		} else {
			c.Speech = append(c.Speech, cl)
		}
	}
	for i := 0; i < 4; i++ {
		x := make([]float32, 2*SampleRate)
		var y float64
		a := 0.3 * float64(i)
		for j := range x {
			y = a*y + rng.NormFloat64()
			x[j] = float32(0.05 * y)
		}
		cl := Clip{Path: "noise", Group: string(rune('A' + i)), Samples: x}
		if i == 0 {
			c.ValNoise = append(c.ValNoise, cl)
		} else {
			c.Noise = append(c.Noise, cl)
		}
	}
	h := make([]float32, 4000)
	for j := range h {
		h[j] = float32(rng.NormFloat64() * math.Exp(-float64(j)/800))
	}
	h[100] = 3
	c.RIR = []Clip{{Path: "rir", Samples: h}}
	c.ValSpeakers, c.ValNoiseIDs = []string{"a"}, []string{"A"}
	return c
}
