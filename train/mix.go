package train

import (
	"math"
	"math/rand/v2"

	"github.com/ghostrnn/ghostrnn/dsp"
)

// MixConfig sets the on-the-fly mixture recipe. Probabilities are per
// training sequence.
type MixConfig struct {
	Seconds        float64 // segment length (3 s)
	SNRMin, SNRMax float64 // dB, uniform (−5 … 20) unless SNRPeaked
	// SNRPeaked draws the SNR from the triangular distribution over
	// SNRMin … SNRMax with its mode at SNRMode instead (false).
	SNRPeaked        bool
	SNRMode          float64
	NoiseOnly        float64 // share of sequences with no speech (0.1)
	CleanOnly        float64 // share of sequences with no noise (0.1)
	LevelMin         float64 // mixture RMS in dBFS, uniform (−45 … −10), peak kept ≤ 0.99
	LevelMax         float64
	SpeedProb        float64 // speed perturbation probability (0.5), factor uniform 0.9 … 1.1
	SpeechEQProb     float64 // random peaking EQ on speech (0.5)
	NoiseEQProb      float64 // random peaking EQ and spectral tilt on noise (0.5)
	NoiseSpeedProb   float64 // noise resampled by a factor log-uniform in 0.7 … 1.4 (shifts its pitch and tempo)
	NoiseMixProb     float64 // a second noise recording added at −10 … +5 dB relative to the first
	RumbleProb       float64 // strong rumble below 100 Hz added to the noise (0.15)
	BandLimitProb    float64 // low-pass of the whole mixture and target at 3.4 … 7.5 kHz (0.15)
	ReverbProb       float64 // reverberant speech with an early-reverb target (0.2)
	SyntheticRIRProb float64 // share of reverb drawn as synthetic exponential decay (0.5)
	// Added for v2 (issue 16); see babble and insertSilence.
	BabbleProb       float64 // share of sequences with noise whose noise is babble of 3…8 training talkers (0.2)
	BabbleReverbProb float64 // babble through a room response, real or synthetic (0.5)
	BabbleNoiseProb  float64 // a noise recording added to the babble at −10 … +5 dB relative (0.5)
	BabbleSNRMin     float64 // babble mixtures draw the SNR from max(SNRMin, BabbleSNRMin) up (0 dB)
	SilenceProb      float64 // a near-silent stretch of 0.2 … 1.5 s inserted, target silent there (0.15)
}

// DefaultMix is the shipped recipe's mixture generator.
var DefaultMix = MixConfig{
	Seconds: 3, SNRMin: -5, SNRMax: 20, NoiseOnly: 0.1, CleanOnly: 0.1,
	LevelMin: -45, LevelMax: -10, SpeedProb: 0.5, SpeechEQProb: 0.5, NoiseEQProb: 0.5,
	NoiseSpeedProb: 0.5, NoiseMixProb: 0.3, RumbleProb: 0.15, BandLimitProb: 0.15, ReverbProb: 0.2, SyntheticRIRProb: 0.5,
	BabbleProb: 0.2, BabbleReverbProb: 0.5, BabbleNoiseProb: 0.5, SilenceProb: 0.15,
}

// pick returns a random excerpt of n samples from a random clip of cs, where
// clips are drawn in proportion to their length; shorter clips are looped
// (noise) or zero-padded at a random offset (speech, loop = false).
func pick(rng *rand.Rand, cs []Clip, n int, loop bool) []float32 {
	x, _ := pickClip(rng, cs, n, loop)
	return x
}

// pickClip is pick that also returns the index in cs of the clip drawn.
func pickClip(rng *rand.Rand, cs []Clip, n int, loop bool) ([]float32, int) {
	total := 0
	for _, c := range cs {
		total += len(c.Samples)
	}
	at := rng.IntN(total)
	ci := 0
	for ; ci < len(cs)-1; ci++ {
		if at < len(cs[ci].Samples) {
			break
		}
		at -= len(cs[ci].Samples)
	}
	x := cs[ci].Samples
	out := make([]float32, n)
	if len(x) >= n {
		o := rng.IntN(len(x) - n + 1)
		copy(out, x[o:o+n])
		return out, ci
	}
	if loop {
		o := rng.IntN(len(x))
		for i := range out {
			out[i] = x[(o+i)%len(x)]
		}
		return out, ci
	}
	copy(out[rng.IntN(n-len(x)+1):], x)
	return out, ci
}

func uniform(rng *rand.Rand, a, b float64) float64 { return lerp(a, b, rng.Float64()) }

// lerp maps u in [0, 1) to a … b linearly (the uniform inverse CDF).
func lerp(a, b, u float64) float64 { return a + (b-a)*u }

// triangular maps u in [0, 1) to the triangular distribution over a … b
// with mode c (inverse CDF).
func triangular(u, a, c, b float64) float64 {
	if b <= a {
		return a
	}
	if f := (c - a) / (b - a); u < f {
		return a + math.Sqrt(u*(b-a)*(c-a))
	}
	return b - math.Sqrt((1-u)*(b-a)*(b-c))
}

func logUniform(rng *rand.Rand, a, b float64) float64 {
	return math.Exp(uniform(rng, math.Log(a), math.Log(b)))
}

func randomEQ(rng *rand.Rand, x []float32, bands int, maxDB float64) {
	for i := 0; i < bands; i++ {
		rbj("peak", SampleRate, logUniform(rng, 100, 6000), uniform(rng, 0.5, 2), uniform(rng, -maxDB, maxDB)).Apply(x)
	}
}

// syntheticRIR is white noise under an exponential decay of reverberation
// time rt60 (seconds), with a unit direct path at index 0.
func syntheticRIR(rng *rand.Rand, rt60 float64) []float32 {
	n := int(min(rt60, 1) * SampleRate)
	h := make([]float32, n)
	h[0] = 1
	decay := math.Log(1000) / (rt60 * SampleRate) // −60 dB at rt60
	g := uniform(rng, 0.1, 0.4)
	for i := int(0.002 * SampleRate); i < n; i++ {
		h[i] = float32(g * rng.NormFloat64() * math.Exp(-decay*float64(i)))
	}
	return h
}

// alignRIR shifts h so its largest-magnitude sample (the direct path) is at
// index 0 and scales that sample to ±1.
func alignRIR(h []float32) []float32 {
	k, p := 0, float32(0)
	for i, v := range h {
		if a := max(v, -v); a > p {
			k, p = i, a
		}
	}
	out := append([]float32(nil), h[k:]...)
	if p > 0 {
		scale(out, 1/float64(p))
	}
	return out
}

// Mixture generates one training example: noisy input and the clean target
// (dry speech, or speech through the first 50 ms of the room response when
// reverberated), both n samples long.
func Mixture(rng *rand.Rand, cfg MixConfig, speech, noise, rirs []Clip, n int) (noisy, clean []float32) {
	u := rng.Float64()
	hasSpeech := u >= cfg.NoiseOnly
	hasNoise := u < cfg.NoiseOnly || u >= cfg.NoiseOnly+cfg.CleanOnly
	var s []float32
	target := "" // the target's speaker, kept out of babble
	if hasSpeech {
		var ci int
		if rng.Float64() < cfg.SpeedProb {
			s, ci = pickResampled(rng, speech, n, uniform(rng, 0.9, 1.1), false)
		} else {
			s, ci = pickClip(rng, speech, n, false)
		}
		target = speech[ci].Group
		if rng.Float64() < cfg.SpeechEQProb {
			randomEQ(rng, s, 1+rng.IntN(2), 6)
		}
		if rng.Float64() < cfg.ReverbProb {
			h := randomRIR(rng, cfg, rirs)
			early := min(len(h), int(0.05*SampleRate))
			wet, dry := Convolve2(s, h, h[:early])
			s = dry
			// the target is the early part; the input carries the full tail
			clean = s
			s = wet
		}
	} else {
		s = make([]float32, n)
	}
	if clean == nil {
		clean = append([]float32(nil), s...)
	}
	var nz []float32
	babbled := false
	if hasNoise {
		// A disabled augmentation draws no random numbers, so a recipe
		// without it reproduces the batches of runs made before it existed.
		if cfg.BabbleProb > 0 && rng.Float64() < cfg.BabbleProb {
			nz, _ = babble(rng, cfg, speech, rirs, target, n)
			babbled = nz != nil
			if babbled && rng.Float64() < cfg.BabbleNoiseProb {
				addUnder(rng, nz, pickNoise(rng, cfg, noise, n))
			}
		}
		if !babbled {
			nz = pickNoise(rng, cfg, noise, n)
			if cfg.NoiseMixProb > 0 && rng.Float64() < cfg.NoiseMixProb {
				addUnder(rng, nz, pickNoise(rng, cfg, noise, n))
			}
		}
		if rng.Float64() < cfg.NoiseEQProb {
			randomEQ(rng, nz, 1+rng.IntN(3), 9)
			kind := "lowshelf"
			if rng.IntN(2) == 0 {
				kind = "highshelf"
			}
			rbj(kind, SampleRate, logUniform(rng, 300, 3000), 0.7, uniform(rng, -9, 9)).Apply(nz)
		}
		if rng.Float64() < cfg.RumbleProb {
			rum := make([]float32, n)
			for i := range rum {
				rum[i] = float32(rng.NormFloat64())
			}
			fc := uniform(rng, 25, 100)
			rbj("lowpass", SampleRate, fc, 0.707, 0).Apply(rum)
			rbj("lowpass", SampleRate, fc, 0.707, 0).Apply(rum)
			pn := power(nz)
			if pn < 1e-12 {
				pn = 1e-6
			}
			g := math.Sqrt(pn / max(power(rum), 1e-20) * math.Pow(10, uniform(rng, -5, 15)/10))
			for i := range nz {
				nz[i] += float32(g) * rum[i]
			}
		}
	} else {
		nz = make([]float32, n)
	}
	ps, pn := power(s), power(nz)
	if hasSpeech && hasNoise && ps > 1e-10 && pn > 1e-12 {
		u := rng.Float64()
		lo, mode := cfg.SNRMin, cfg.SNRMode
		if babbled {
			// At −5 dB each of three level-matched talkers is as loud as
			// the target, and nothing tells which one to keep.
			lo = min(max(lo, cfg.BabbleSNRMin), cfg.SNRMax)
			mode = max(mode, lo)
		}
		snr := lerp(lo, cfg.SNRMax, u)
		if cfg.SNRPeaked {
			snr = triangular(u, lo, mode, cfg.SNRMax)
		}
		scale(nz, math.Sqrt(ps/pn*math.Pow(10, -snr/10)))
	}
	if rng.Float64() < cfg.BandLimitProb {
		lp := rbj("lowpass", SampleRate, uniform(rng, 3400, 7500), 0.707, 0)
		for _, x := range [][]float32{s, nz, clean} {
			lp.Apply(x)
			lp.Apply(x)
		}
	}
	noisy = make([]float32, n)
	for i := range noisy {
		noisy[i] = s[i] + nz[i]
	}
	if pm := power(noisy); pm > 1e-14 {
		g := math.Pow(10, uniform(rng, cfg.LevelMin, cfg.LevelMax)/20) / math.Sqrt(pm)
		if pk := peak(noisy) * g; pk > 0.99 {
			g *= 0.99 / pk
		}
		scale(noisy, g)
		scale(clean, g)
	}
	if cfg.SilenceProb > 0 && rng.Float64() < cfg.SilenceProb {
		insertSilence(rng, noisy, clean)
	}
	return noisy, clean
}

// randomRIR draws a room response: a synthetic exponential decay (RT60
// uniform 0.2 … 1 s) with probability cfg.SyntheticRIRProb or when rirs is
// empty, else one of rirs with its direct path moved to index 0.
func randomRIR(rng *rand.Rand, cfg MixConfig, rirs []Clip) []float32 {
	if len(rirs) == 0 || rng.Float64() < cfg.SyntheticRIRProb {
		return syntheticRIR(rng, uniform(rng, 0.2, 1.0))
	}
	return alignRIR(rirs[rng.IntN(len(rirs))].Samples)
}

// addUnder adds nz2 to nz in place at a level of −10 … +5 dB relative to
// nz (nothing when either is silent).
func addUnder(rng *rand.Rand, nz, nz2 []float32) {
	p1, p2 := power(nz), power(nz2)
	if p1 > 1e-12 && p2 > 1e-12 {
		g := math.Sqrt(p1 / p2 * math.Pow(10, uniform(rng, -10, 5)/10))
		for i := range nz {
			nz[i] += float32(g) * nz2[i]
		}
	}
}

// pickNoise returns n samples of a random noise excerpt, resampled by a
// random factor with probability cfg.NoiseSpeedProb.
func pickNoise(rng *rand.Rand, cfg MixConfig, noise []Clip, n int) []float32 {
	if cfg.NoiseSpeedProb > 0 && rng.Float64() < cfg.NoiseSpeedProb {
		x, _ := pickResampled(rng, noise, n, logUniform(rng, 0.7, 1.4), true)
		return x
	}
	return pick(rng, noise, n, true)
}

// pickResampled returns n samples of a random excerpt of cs read f times
// faster (its pitch and tempo scaled by f), and the index of its clip.
func pickResampled(rng *rand.Rand, cs []Clip, n int, f float64, loop bool) ([]float32, int) {
	x, ci := pickClip(rng, cs, int(float64(n)*f)+32, loop)
	return Resample(x, f, 8)[:n], ci
}

// Spectra runs the model's STFT and features over one example: time-major
// per-frame features [T, F] and loss targets [T, K] (see Targets), with
// T = len(noisy)/hop frames, each from a fresh analyzer and featurizer as a
// stream starts in inference.
type Spectra struct {
	Feat, XC, SC, PC []float32
	XP, XS, SS       []float32
	Frames           int
	DF               []float32 // [T, ND, 8] deep-filter taps and target (Targets.DF), nil without
}

// Analyze computes the Spectra of a noisy/clean pair with compression c for
// a model with d frames of look-ahead: the features of frame t come with the
// loss targets of frame t − d, the frame its gains apply to (all zero for
// t < d, where they add nothing to the loss).
func Analyze(noisy, clean []float32, features, d int, c float64) Spectra {
	cfg := dsp.DefaultConfig
	an, _ := dsp.NewAnalyzer(cfg)
	as, _ := dsp.NewAnalyzer(cfg)
	fz, _ := dsp.NewFeaturizer(cfg, features)
	h, k := cfg.Hop, cfg.Bins()
	nt := len(noisy) / h
	sp := Spectra{Frames: nt, Feat: make([]float32, nt*features), XC: make([]float32, nt*k), SC: make([]float32, nt*k), PC: make([]float32, nt*k),
		XP: make([]float32, nt*k), XS: make([]float32, nt*k), SS: make([]float32, nt*k)}
	for t := 0; t < nt; t++ {
		X := an.Frame(noisy[t*h : (t+1)*h])
		fz.Compute(sp.Feat[t*features:(t+1)*features], X)
		S := as.Frame(clean[t*h : (t+1)*h])
		if t+d >= nt {
			continue // frame t's gains would come after the sequence ends
		}
		r := (t + d) * k // the row whose gains apply to this frame
		for i := 0; i < k; i++ {
			x, s := X[i], S[i]
			px := real(x)*real(x) + imag(x)*imag(x)
			ps := real(s)*real(s) + imag(s)*imag(s)
			var xc, sc, cos float64
			if px > 0 {
				xc = expFast(c / 2 * logFast(px))
			}
			if ps > 0 {
				sc = expFast(c / 2 * logFast(ps))
				if px > 0 {
					cos = (real(x)*real(s) + imag(x)*imag(s)) / math.Sqrt(px*ps)
				}
			}
			sp.XC[r+i], sp.SC[r+i], sp.PC[r+i] = float32(xc), float32(sc), float32(sc*cos)
			sp.XP[r+i], sp.XS[r+i], sp.SS[r+i] = float32(px), float32(real(x)*real(s)+imag(x)*imag(s)), float32(ps)
		}
	}
	return sp
}

// Batch is B examples of T frames interleaved time-major (row t·B + b).
type Batch struct {
	B, T    int
	Feat    []float32 // [T·B, F]
	Targets Targets[float32]
}

// NewBatch interleaves per-sequence spectra (all of the same length) into a
// time-major batch.
func NewBatch(sp []Spectra, features, bins int) *Batch {
	nb, nt := len(sp), sp[0].Frames
	bt := &Batch{B: nb, T: nt, Feat: make([]float32, nb*nt*features)}
	mk := func() []float32 { return make([]float32, nb*nt*bins) }
	bt.Targets = Targets[float32]{B: nb, K: bins, XC: mk(), SC: mk(), PC: mk(), XP: mk(), XS: mk(), SS: mk()}
	for b, s := range sp {
		for t := 0; t < nt; t++ {
			row := t*nb + b
			copy(bt.Feat[row*features:(row+1)*features], s.Feat[t*features:(t+1)*features])
			copy(bt.Targets.XC[row*bins:(row+1)*bins], s.XC[t*bins:(t+1)*bins])
			copy(bt.Targets.SC[row*bins:(row+1)*bins], s.SC[t*bins:(t+1)*bins])
			copy(bt.Targets.PC[row*bins:(row+1)*bins], s.PC[t*bins:(t+1)*bins])
			copy(bt.Targets.XP[row*bins:(row+1)*bins], s.XP[t*bins:(t+1)*bins])
			copy(bt.Targets.XS[row*bins:(row+1)*bins], s.XS[t*bins:(t+1)*bins])
			copy(bt.Targets.SS[row*bins:(row+1)*bins], s.SS[t*bins:(t+1)*bins])
		}
	}
	if w := len(sp[0].DF) / nt; w > 0 { // the deep filter's taps, ND·8 per row
		bt.Targets.ND, bt.Targets.DF = w/8, make([]float32, nb*nt*w)
		for b, s := range sp {
			for t := 0; t < nt; t++ {
				copy(bt.Targets.DF[(t*nb+b)*w:(t*nb+b+1)*w], s.DF[t*w:(t+1)*w])
			}
		}
	}
	return bt
}
