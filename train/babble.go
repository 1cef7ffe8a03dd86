package train

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/dsp/fourier"
)

// The talkers of on-the-fly babble.
const babbleMinTalkers, babbleMaxTalkers = 3, 8

// babble returns n samples of multi-talker babble and the speakers in it:
// k talkers, k uniform in 3 … 8 (at most the speakers available), distinct
// speakers of speech other than exclude (the target's), each a looped
// excerpt from a random offset of that speaker's clips (drawn in proportion
// to length), scaled to unit active power (activePower) and summed:
//
//	b[i] = Σ_j x_j[i] / √P_j
//
// With probability cfg.BabbleReverbProb the sum goes through one room
// response (randomRIR), taken in its steady state (the talkers are read
// len(h) − 1 samples earlier and that much of the output is dropped).
// Clips without a speaker (Group "") are never used. It returns nil, having
// drawn no random numbers, when fewer than 3 speakers are available.
//
// Mixture passes the training split's speech, so no validation speaker can
// be in the babble.
func babble(rng *rand.Rand, cfg MixConfig, speech, rirs []Clip, exclude string, n int) ([]float32, []string) {
	var groups []string
	byGroup := map[string][]Clip{}
	for _, c := range speech {
		if c.Group == "" || c.Group == exclude {
			continue
		}
		if _, ok := byGroup[c.Group]; !ok {
			groups = append(groups, c.Group)
		}
		byGroup[c.Group] = append(byGroup[c.Group], c)
	}
	if len(groups) < babbleMinTalkers {
		return nil, nil
	}
	k := min(babbleMinTalkers+rng.IntN(babbleMaxTalkers-babbleMinTalkers+1), len(groups))
	for i := 0; i < k; i++ { // the first k of a random permutation
		j := i + rng.IntN(len(groups)-i)
		groups[i], groups[j] = groups[j], groups[i]
	}
	var h []float32
	if cfg.BabbleReverbProb > 0 && rng.Float64() < cfg.BabbleReverbProb {
		h = randomRIR(rng, cfg, rirs)
	}
	pre := max(len(h)-1, 0)
	sum := make([]float32, n+pre)
	for _, g := range groups[:k] {
		x := pick(rng, byGroup[g], n+pre, true)
		if p := activePower(x); p > 0 {
			a := float32(1 / math.Sqrt(p))
			for i, v := range x {
				sum[i] += a * v
			}
		}
	}
	if h != nil {
		// Outputs from len(h) − 1 on have the whole response behind them,
		// so a circular convolution as long as sum gives them.
		sum = circular(sum, pow2(len(sum)), h)[0][pre:]
	}
	return sum, groups[:k]
}

// activePower is the mean power of x over its active 10 ms blocks, those
// within 30 dB of the loudest block, so pauses do not raise a talker's
// level; 0 for silence.
func activePower(x []float32) float64 {
	const blk = SampleRate / 100
	nb := len(x) / blk
	if nb == 0 {
		return power(x)
	}
	ps := make([]float64, nb)
	top := 0.0
	for b := range ps {
		ps[b] = power(x[b*blk : (b+1)*blk])
		top = max(top, ps[b])
	}
	var s float64
	m := 0
	for _, p := range ps {
		if p > 0 && p >= top*1e-3 {
			s += p
			m++
		}
	}
	if m == 0 {
		return 0
	}
	return s / float64(m)
}

// The near-silence floors insertSilence draws from, equally likely.
const (
	floorZero   = iota // digital silence
	floorDither        // 16-bit dither: TPDF of ±1 LSB rounded, samples in {−1, 0, 1}/32768
	floorWhite         // white noise at −90 … −70 dBFS RMS
	floorPink          // pink (1/f power) noise at −90 … −70 dBFS RMS
	floorKinds
)

// Silent stretches last 0.2 … 1.5 s (at most half the sequence); their
// edges are faded over 5 ms.
const (
	silenceMin, silenceMax = 0.2, 1.5
	silenceFade            = SampleRate / 200
)

// insertSilence inserts a near-silent stretch of length L (uniform 0.2 …
// 1.5 s, at most len(noisy)/2) at sample at — the start with probability
// 1/2, else uniform over 0 … n − L — into a scaled mixture and its target:
// the content from at on moves L samples later (its end drops off), both
// are zero in [at, at + L) with 5 ms raised-cosine fades at the cuts, and
// a floor of the given kind (digital zero, 16-bit dither or white/pink
// noise at −90 … −70 dBFS) is added to noisy throughout. The target stays
// the clean speech, zero in the stretch.
func insertSilence(rng *rand.Rand, noisy, clean []float32) (at, l, kind int) {
	n := len(noisy)
	l = min(int(uniform(rng, silenceMin, silenceMax)*SampleRate), n/2)
	if rng.IntN(2) == 1 {
		at = rng.IntN(n - l + 1)
	}
	for _, x := range [][]float32{noisy, clean} {
		copy(x[at+l:], x[at:n-l])
		clear(x[at : at+l])
		for j := 0; j < silenceFade; j++ {
			w := float32(0.5 - 0.5*math.Cos(math.Pi*(float64(j)+0.5)/silenceFade))
			if i := at - 1 - j; i >= 0 {
				x[i] *= w // fade out before the stretch
			}
			if i := at + l + j; i < n {
				x[i] *= w // fade in after it
			}
		}
	}
	kind = rng.IntN(floorKinds)
	var fl []float32
	switch kind {
	case floorDither:
		fl = make([]float32, n)
		for i := range fl {
			fl[i] = float32(math.Round(rng.Float64()+rng.Float64()-1)) / 32768
		}
	case floorWhite, floorPink:
		fl = make([]float32, n)
		for i := range fl {
			fl[i] = float32(rng.NormFloat64())
		}
		if kind == floorPink {
			pinken(fl)
		}
		if p := power(fl); p > 0 {
			scale(fl, math.Pow(10, uniform(rng, -90, -70)/20)/math.Sqrt(p))
		}
	}
	for i, v := range fl {
		noisy[i] += v
	}
	return at, l, kind
}

// pinken shapes x in place to a 1/f power spectrum: its DFT is scaled by
// 1/√k at bin k ≥ 1 and its mean removed.
func pinken(x []float32) {
	fft := fourier.NewFFT(len(x))
	a := make([]float64, len(x))
	for i, v := range x {
		a[i] = float64(v)
	}
	X := fft.Coefficients(nil, a)
	X[0] = 0
	for k := 1; k < len(X); k++ {
		X[k] /= complex(math.Sqrt(float64(k)), 0)
	}
	fft.Sequence(a, X)
	for i := range x {
		x[i] = float32(a[i])
	}
}
