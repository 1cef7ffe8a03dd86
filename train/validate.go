package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/metrics"
)

// ValSNRs are the input SNRs of the validation mixtures in dB.
var ValSNRs = []float64{-5, 0, 5, 10, 15, 20}

// ValItem is one fixed validation example.
type ValItem struct {
	Cond         string // "snr=-5" … "snr=20", "clean" or "noise"
	SNR          float64
	Noisy, Clean []float32
}

// ValSet builds the fixed validation mixtures from held-out speakers and
// noise groups: per clips examples of 4 s at each SNR in ValSNRs, clean
// speech, and noise only, at levels uniform in −35 … −15 dBFS. It depends only
// on the corpus and the constant seed, never on the training seed, so every
// model is scored on the same mixtures.
func ValSet(c *Corpus, clips int) []ValItem {
	speech, noise := c.ValSpeech, c.ValNoise
	if len(speech) == 0 {
		speech = c.Speech
	}
	if len(noise) == 0 {
		noise = c.Noise
	}
	rng := rand.New(rand.NewPCG(0x5eed, 0xba1))
	n := 4 * SampleRate
	var items []ValItem
	add := func(cond string, snr float64, hasS, hasN bool) {
		var s, nz []float32
		if hasS {
			s = pick(rng, speech, n, false)
		} else {
			s = make([]float32, n)
		}
		if hasN {
			nz = pick(rng, noise, n, true)
		} else {
			nz = make([]float32, n)
		}
		x := mixAt(s, nz, snr, uniform(rng, -35, -15))
		items = append(items, ValItem{Cond: cond, SNR: snr, Noisy: x, Clean: s})
	}
	for _, snr := range ValSNRs {
		for i := 0; i < clips; i++ {
			add(fmt.Sprintf("snr=%g", snr), snr, true, true)
		}
	}
	for i := 0; i < clips; i++ {
		add("clean", math.Inf(1), true, false)
		add("noise", math.Inf(-1), false, true)
	}
	return items
}

// mixAt returns the mixture x = s + a·nz whose speech-to-noise ratio is snr
// dB (nz as it is when s or nz is silent), scaled, with s, to an RMS of
// level dBFS, or less where that would take its peak above 0.99. It scales
// s and nz in place.
func mixAt(s, nz []float32, snr, level float64) []float32 {
	if ps, pn := power(s), power(nz); ps > 0 && pn > 0 {
		scale(nz, math.Sqrt(ps/pn*math.Pow(10, -snr/10)))
	}
	x := make([]float32, len(s))
	for i := range x {
		x[i] = s[i] + nz[i]
	}
	g := math.Pow(10, level/20) / math.Sqrt(max(power(x), 1e-20))
	if pk := peak(x) * g; pk > 0.99 {
		g *= 0.99 / pk
	}
	scale(x, g)
	scale(s, g)
	return x
}

// CondScore is the mean result of one validation condition.
type CondScore struct {
	Cond      string  `json:"cond"`
	SISDRIn   float64 `json:"sisdr_in"`              // SI-SDR of the noisy input, dB
	SISDROut  float64 `json:"sisdr_out"`             // SI-SDR of the output, dB
	STOIIn    float64 `json:"stoi_in,omitempty"`     // STOI of the input (over the mixtures STOI can score)
	STOIOut   float64 `json:"stoi_out,omitempty"`    // STOI of the output (the same mixtures)
	AttenDB   float64 `json:"atten_db,omitempty"`    // noise-only: input/output power, dB
	CleanPass float64 `json:"clean_sisdr,omitempty"` // clean: SI-SDR(out, in), dB
}

// ValResult summarises a validation pass.
type ValResult struct {
	Conds     []CondScore `json:"conds"`
	MeanDelta float64     `json:"mean_delta_sisdr"` // mean over SNRs of SI-SDR(out) − SI-SDR(in)
	MeanDSTOI float64     `json:"mean_delta_stoi"`  // same for STOI
	CleanPass float64     `json:"clean_sisdr"`      // mean SI-SDR(out, in) on clean input
	NoiseAtt  float64     `json:"noise_atten_db"`   // mean noise-only attenuation
	Score     float64     `json:"score"`            // model selection score, see Validate
}

// enhance runs x through eng from a fresh start into buf's storage and
// returns the whole output, out, and the part of it aligned with x (its
// latency removed), y.
func enhance(eng *enhancer.Engine, buf, x []float32) (out, y []float32) {
	eng.Reset()
	out = eng.Flush(eng.Process(buf[:0], x))
	return out, out[eng.Latency() : eng.Latency()+len(x)]
}

// valEngine is the engine validation runs: the model's own floor, no
// attenuation limit, fully wet.
func valEngine(m *enhancer.Model) (*enhancer.Engine, error) {
	return enhancer.NewEngine(m, enhancer.Options{AttenLimDB: 200, Mix: 1})
}

// Enhance returns what validation scores for the input x: x run through
// model m's streaming engine from a fresh start (see Validate), with the
// engine's latency removed so that the output lines up with x sample for
// sample; len(result) = len(x).
func Enhance(m *enhancer.Model, x []float32) ([]float32, error) {
	eng, err := valEngine(m)
	if err != nil {
		return nil, err
	}
	_, y := enhance(eng, nil, x)
	return y, nil
}

// Validate runs every item through the real streaming engine
// (enhancer.Engine with the model's own floor, fully wet), removes its
// latency so output and reference align (see Enhance), and scores it with
// package metrics, the same definitions as ghostrnn eval: SI-SDR is
// metrics.SISDR (zero-mean, scale-invariant), STOI is metrics.STOI. A
// mixture whose clean speech STOI cannot score (fewer than 30 active
// frames) is left out of that condition's STOI mean, for input and output
// alike. The selection score is MeanDelta + 10·MeanDSTOI − 0.5·max(0, 20 −
// CleanPass) − 0.2·max(0, 20 − NoiseAtt): SI-SDR gain first, with penalties
// when clean speech is damaged or noise-only input is not attenuated 20 dB.
func Validate(m *enhancer.Model, items []ValItem) (ValResult, error) {
	eng, err := valEngine(m)
	if err != nil {
		return ValResult{}, err
	}
	type acc struct {
		n, nt                     int
		sin, sout, tin, tout, att float64
	}
	accs := map[string]*acc{}
	var order []string
	var out, y []float32
	for _, it := range items {
		out, y = enhance(eng, out, it.Noisy)
		a := accs[it.Cond]
		if a == nil {
			a = &acc{}
			accs[it.Cond] = a
			order = append(order, it.Cond)
		}
		a.n++
		switch it.Cond {
		case "noise":
			a.att += 10 * math.Log10((power(it.Noisy)+1e-20)/(power(y)+1e-20))
		case "clean":
			a.sout += metrics.SISDR(it.Noisy, y)
		default:
			a.sin += metrics.SISDR(it.Clean, it.Noisy)
			a.sout += metrics.SISDR(it.Clean, y)
			tin, err := metrics.STOI(it.Clean, it.Noisy, SampleRate)
			if err != nil {
				continue // too little speech for STOI: for the output too
			}
			tout, err := metrics.STOI(it.Clean, y, SampleRate)
			if err != nil {
				return ValResult{}, fmt.Errorf("train: STOI of the output of a %s mixture: %w", it.Cond, err)
			}
			a.tin += tin
			a.tout += tout
			a.nt++
		}
	}
	var r ValResult
	nsnr := 0
	for _, c := range order {
		a := accs[c]
		n := float64(a.n)
		cs := CondScore{Cond: c}
		switch c {
		case "noise":
			cs.AttenDB = a.att / n
			r.NoiseAtt = cs.AttenDB
		case "clean":
			cs.CleanPass = a.sout / n
			r.CleanPass = cs.CleanPass
		default:
			cs.SISDRIn, cs.SISDROut = a.sin/n, a.sout/n
			if a.nt > 0 {
				cs.STOIIn, cs.STOIOut = a.tin/float64(a.nt), a.tout/float64(a.nt)
			}
			r.MeanDelta += cs.SISDROut - cs.SISDRIn
			r.MeanDSTOI += cs.STOIOut - cs.STOIIn
			nsnr++
		}
		r.Conds = append(r.Conds, cs)
	}
	if nsnr > 0 {
		r.MeanDelta /= float64(nsnr)
		r.MeanDSTOI /= float64(nsnr)
	}
	r.Score = r.MeanDelta + 10*r.MeanDSTOI - 0.5*max(0, 20-r.CleanPass) - 0.2*max(0, 20-r.NoiseAtt)
	return r, nil
}
