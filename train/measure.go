package train

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/metrics"
)

// MeasureInput is what a measurement scores: models (named as the user gave
// them) on mixtures drawn from a corpus.
type MeasureInput struct {
	Names    []string          // one per model, as printed in the tables
	Models   []*enhancer.Model // the models to score
	Corpus   *Corpus           // held-out and training split
	ValClips int               // mixtures per condition of the validation set (DefaultConfig: 12)
	More     int               // mixtures per condition of the larger held-out sets (48)
}

// Measurement is one table that ghostrnn train measure prints. Run writes a
// Markdown table to w; it checks nothing, so it is a command and not a test.
type Measurement struct {
	Name  string // subcommand name
	Usage string // one line for the help
	Run   func(w io.Writer, in MeasureInput) error
}

// Measurements lists the measurements of ghostrnn train measure, in the
// order of its help. To add one, write a function func(w io.Writer, in
// MeasureInput) error that prints its table (see measureValidation for the
// shortest example) and add one entry here; the command line and its test
// (TestMeasurements) pick it up from this list.
var Measurements = []Measurement{
	{"validation", "the validation table (12 mixtures per condition, as training selects the best checkpoint): SI-SDR and STOI in → out per SNR, clean pass-through, noise-only attenuation", measureValidation},
	{"targets", "the targets (ΔSI-SDR and ΔSTOI per SNR, clean pass-through, noise-only attenuation) on 48 held-out mixtures per condition", measureTargets},
	{"gap", "ΔSI-SDR at 0, 5 and 10 dB (mean ± standard error) on sets that differ from the validation set in one thing each: more mixtures, training noise or speech, a second pass", measureGap},
	{"by-noise", "ΔSI-SDR per held-out noise recording, 12 mixtures each at 0 and 5 dB SNR (--clips), −25 dBFS", measureByNoise},
	{"budget", "the error at 0, 5 and 10 dB split into speech distortion and residual noise, against the best real gain per bin", measureBudget},
	{"ceilings", "SI-SDR per input SNR (mean ± standard error, 48 held-out mixtures per SNR) of the oracle output kinds with the clean speech known (real gain per bin, gain per ERB band, complex mask) beside the models", measureCeilings},
	{"distortion", "speech distortion when there is little noise to remove: STOI, ΔSTOI, SI-SDR against the clean speech, log-spectral distance of speech frames and the share of their bins (and of the speech energy) more than 6 dB too low (metrics.SpeechLSD) on clean input and at 20 and 15 dB SNR, 48 held-out mixtures each, beside the unprocessed input and the ideal real gain per bin", measureDistortion},
}

// measureValidation prints Validate's result on the validation set,
// ValSet(corpus, ValClips), as the model card's validation table: one column
// pair per model.
func measureValidation(w io.Writer, in MeasureInput) error {
	items := ValSet(in.Corpus, in.ValClips)
	rs := make([]ValResult, len(in.Models))
	for i, m := range in.Models {
		var err error
		if rs[i], err = Validate(m, items); err != nil {
			return fmt.Errorf("%s: %w", in.Names[i], err)
		}
	}
	fmt.Fprint(w, "| input |")
	for _, n := range in.Names {
		fmt.Fprintf(w, " %s: SI-SDR in → out (Δ) | %s: STOI in → out |", n, n)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|---|", len(in.Names)))
	for j, c := range rs[0].Conds {
		label := strings.TrimPrefix(c.Cond, "snr=") + " dB SNR"
		switch c.Cond {
		case "clean":
			label = "clean speech"
		case "noise":
			label = "noise only"
		}
		fmt.Fprintf(w, "| %s |", label)
		for _, r := range rs {
			switch c := r.Conds[j]; c.Cond {
			case "clean":
				fmt.Fprintf(w, " SI-SDR(out, clean in) %.1f dB | – |", c.CleanPass)
			case "noise":
				fmt.Fprintf(w, " attenuation %.1f dB | – |", c.AttenDB)
			default:
				fmt.Fprintf(w, " %.1f → %.1f (%+.2f) | %.3f → %.3f (%+.3f) |", c.SISDRIn, c.SISDROut, c.SISDROut-c.SISDRIn, c.STOIIn, c.STOIOut, c.STOIOut-c.STOIIn)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, "| mean ΔSI-SDR / ΔSTOI |")
	for _, r := range rs {
		fmt.Fprintf(w, " %+.2f dB | %+.3f |", r.MeanDelta, r.MeanDSTOI)
	}
	fmt.Fprint(w, "\n| selection score |")
	for _, r := range rs {
		fmt.Fprintf(w, " %.3f | |", r.Score)
	}
	fmt.Fprintln(w)
	return nil
}

// measureTargets scores the targets (ΔSI-SDR per SNR, ΔSTOI, clean
// pass-through, noise-only attenuation) on More held-out mixtures per
// condition instead of the validation set's ValClips.
func measureTargets(w io.Writer, in MeasureInput) error {
	items := ValSet(in.Corpus, in.More)
	fmt.Fprintln(w, "| model | ΔSI-SDR −5 / 0 / 5 / 10 / 15 / 20 dB | ΔSTOI −5 / 0 / 5 / 10 / 15 / 20 dB | clean pass | noise-only atten. |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for i, m := range in.Models {
		r, err := Validate(m, items)
		if err != nil {
			return fmt.Errorf("%s: %w", in.Names[i], err)
		}
		var ds, dt []string
		for _, cs := range r.Conds {
			if cs.Cond != "clean" && cs.Cond != "noise" {
				ds = append(ds, fmt.Sprintf("%+.2f", cs.SISDROut-cs.SISDRIn))
				dt = append(dt, fmt.Sprintf("%+.4f", cs.STOIOut-cs.STOIIn))
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.1f dB | %.1f dB |\n", in.Names[i], strings.Join(ds, " / "), strings.Join(dt, " / "), r.CleanPass, r.NoiseAtt)
	}
	return nil
}

// meanSE returns the mean of xs and its standard error, the sample standard
// deviation over √n.
func meanSE(xs []float64) (mean, se float64) {
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// measureGap prints the ΔSI-SDR at 0, 5 and 10 dB input SNR, mean ±
// standard error over the mixtures, on sets that differ from the validation
// set in one thing each: More mixtures instead of ValClips; noise or speech
// from the training split instead of the held-out one (does the model
// generalise, or is it short of the target on what it was trained on too?);
// and each held-out mixture played twice with the second pass scored (how
// much does the cold start of the features' running mean and the GRU state
// cost?).
func measureGap(w io.Writer, in MeasureInput) error {
	c := in.Corpus
	held := ValSet(c, in.More)
	trainNoise, trainSpeech, both := *c, *c, *c
	trainNoise.ValNoise = c.Noise
	trainSpeech.ValSpeech = c.Speech
	both.ValNoise, both.ValSpeech = c.Noise, c.Speech
	sets := []struct {
		name  string
		items []ValItem
		twice bool
	}{
		{fmt.Sprintf("validation set (%d per SNR)", in.ValClips), ValSet(c, in.ValClips), false},
		{fmt.Sprintf("held-out speech and noise, %d per SNR", in.More), held, false},
		{"the same, second pass", held, true},
		{"held-out speech, training noise", ValSet(&trainNoise, in.More), false},
		{"training speech, held-out noise", ValSet(&trainSpeech, in.More), false},
		{"training speech and noise", ValSet(&both, in.More), false},
	}
	snrs := []float64{0, 5, 10}
	fmt.Fprintf(w, "| model | mixtures | ΔSI-SDR 0 dB | 5 dB | 10 dB |\n|---|---|---|---|---|\n")
	for i, m := range in.Models {
		eng, err := valEngine(m)
		if err != nil {
			return fmt.Errorf("%s: %w", in.Names[i], err)
		}
		var buf []float32
		for _, set := range sets {
			d := map[float64][]float64{}
			for _, it := range set.items {
				if it.Cond == "clean" || it.Cond == "noise" || !slices.Contains(snrs, it.SNR) {
					continue
				}
				x := it.Noisy
				if set.twice {
					x = append(append([]float32{}, x...), x...)
				}
				var y []float32
				buf, y = enhance(eng, buf, x)
				last := y[len(x)-len(it.Noisy):] // the (second) pass
				d[it.SNR] = append(d[it.SNR], metrics.SISDR(it.Clean, last)-metrics.SISDR(it.Clean, it.Noisy))
			}
			fmt.Fprintf(w, "| %s | %s |", in.Names[i], set.name)
			for _, snr := range snrs {
				mean, se := meanSE(d[snr])
				fmt.Fprintf(w, " %+.2f ± %.2f |", mean, se)
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

// measureByNoise scores the models on ValClips (12) mixtures per held-out
// noise recording at 0 and at 5 dB SNR (speech of held-out speakers,
// −25 dBFS, 4 s; 240 mixtures for the 10 held-out recordings of the shipped
// models' split) and prints the ΔSI-SDR per recording and its mean. Ten
// times the 0/5 dB mixtures of the validation set, so it separates recipes
// the validation score cannot.
func measureByNoise(w io.Writer, in MeasureInput) error {
	c := in.Corpus
	byGroup := map[string][]Clip{}
	var groups []string
	for _, cl := range c.ValNoise {
		if byGroup[cl.Group] == nil {
			groups = append(groups, cl.Group)
		}
		byGroup[cl.Group] = append(byGroup[cl.Group], cl)
	}
	n := 4 * SampleRate
	var items []ValItem
	for _, g := range groups {
		rng := rand.New(rand.NewPCG(7, 9)) // the same speech for every recording
		for i := 0; i < in.ValClips; i++ {
			for _, snr := range []float64{0, 5} {
				s := pick(rng, c.ValSpeech, n, false)
				nz := pick(rng, byGroup[g], n, true)
				x := mixAt(s, nz, snr, -25)
				items = append(items, ValItem{Cond: fmt.Sprintf("%s @ %g dB", g, snr), SNR: snr, Noisy: x, Clean: s})
			}
		}
	}
	var conds []string // in order of first appearance
	for _, it := range items {
		if !slices.Contains(conds, it.Cond) {
			conds = append(conds, it.Cond)
		}
	}
	rows := make([][]string, len(conds))
	for i, cd := range conds {
		rows[i] = []string{cd}
	}
	means := make([]float64, len(in.Models))
	for j, m := range in.Models {
		eng, err := valEngine(m)
		if err != nil {
			return fmt.Errorf("%s: %w", in.Names[j], err)
		}
		var buf, y []float32
		sum := map[string]float64{}
		for _, it := range items {
			buf, y = enhance(eng, buf, it.Noisy)
			sum[it.Cond] += metrics.SISDR(it.Clean, y) - metrics.SISDR(it.Clean, it.Noisy)
		}
		for i, cd := range conds {
			d := sum[cd] / float64(in.ValClips)
			rows[i] = append(rows[i], fmt.Sprintf("%+.2f", d))
			means[j] += d / float64(len(conds))
		}
	}
	fmt.Fprintf(w, "| held-out noise | %s |\n|---|%s\n", strings.Join(in.Names, " | "), strings.Repeat("---|", len(in.Names)))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	fmt.Fprint(w, "| **mean ΔSI-SDR** |")
	for _, m := range means {
		fmt.Fprintf(w, " **%+.2f** |", m)
	}
	fmt.Fprintln(w)
	return nil
}

// budget splits the error of gains G on one mixture X = S + N in the STFT
// domain (a tight frame, so energies match the waveform's):
//
//	Y − S = (G − 1)·S + G·N:  distortion D = Σ (G − 1)²|S|²,  residual R = Σ G²|N|²
//
// with |N|² = |X|² − 2 Re(X S*) + |S|². It also scores the clipped
// phase-sensitive oracle G* = min(max(Re(X S*)/|X|², floor), 1), the best
// real gain per bin, and sorts the residual and the gains into three kinds
// of bin: frames without speech (the clean frame's energy 30 dB below the
// loudest), and in speech frames the bins where the noise is stronger than
// the speech and those where it is weaker.
type budget struct {
	P, E, EOracle, D, R float64    // Σ|S|², Σ|G X − S|², the same for G*, D, R
	RLow                float64    // R below 1 kHz
	RKind, GSum, N      [3]float64 // per kind (pause, noise-dominated, speech-dominated): R, Σ G, bins
}

// add accounts the gains g ([T, K] rows as sp's targets) of one mixture.
func (bu *budget) add(sp Spectra, g []float32, floor float64, k int) {
	fe := make([]float64, sp.Frames)
	for i, v := range sp.SS {
		fe[i/k] += float64(v)
	}
	loud := 0.0
	for _, v := range fe {
		loud = math.Max(loud, v)
	}
	low := 1000 * 2 * (k - 1) / SampleRate // bins below 1 kHz
	for i := range sp.XP {
		xp, xs, ss := float64(sp.XP[i]), float64(sp.XS[i]), float64(sp.SS[i])
		nn := math.Max(xp-2*xs+ss, 0)
		G := math.Max(float64(g[i]), floor)
		o := math.Min(math.Max(xs/math.Max(xp, 1e-30), floor), 1)
		bu.P += ss
		bu.E += G*G*xp - 2*G*xs + ss
		bu.EOracle += o*o*xp - 2*o*xs + ss
		bu.D += (G - 1) * (G - 1) * ss
		r := G * G * nn
		bu.R += r
		if i%k < low {
			bu.RLow += r
		}
		kind := 0
		if fe[i/k] > 1e-3*loud {
			kind = 1
			if ss > nn {
				kind = 2
			}
		}
		bu.RKind[kind] += r
		bu.GSum[kind] += G
		bu.N[kind]++
	}
}

// measureBudget splits the error on the validation mixtures at 0, 5 and
// 10 dB SNR, pooled over the ValClips mixtures of each, into speech
// distortion and residual noise (see budget) and prints where the residual
// lies and what gains the model gave there. The gains are the training
// forward pass's (Net.Forward), which equal the engine's to float32 rounding.
func measureBudget(w io.Writer, in MeasureInput) error {
	items := ValSet(in.Corpus, in.ValClips)
	db := func(a, b float64) float64 { return 10 * math.Log10(a/b) }
	fmt.Fprintln(w, "| model | input | SDR out | oracle G* | S / distortion | S / residual | residual < 1 kHz | residual in pauses / noise-dominated / speech-dominated bins | mean gain there |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for i, m := range in.Models {
		net, err := NewNet[float32](m.Arch)
		if err == nil {
			err = net.SetModel(m)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.Names[i], err)
		}
		for _, snr := range []float64{0, 5, 10} {
			var b budget
			for _, it := range items {
				if it.Cond == "clean" || it.Cond == "noise" || it.SNR != snr {
					continue
				}
				sp := Analyze(it.Noisy, it.Clean, m.Arch.Features, m.Arch.Lookahead, DefaultLoss.Compress)
				b.add(sp, net.Forward(sp.Feat, 1, sp.Frames), float64(m.GainFloor), m.Arch.Bins)
			}
			fmt.Fprintf(w, "| %s | %g dB | %.2f dB | %.2f dB | %.2f dB | %.2f dB | %.0f %% | %.0f / %.0f / %.0f %% | %.2f / %.2f / %.2f |\n",
				in.Names[i], snr, db(b.P, b.E), db(b.P, b.EOracle), db(b.P, b.D), db(b.P, b.R), 100*b.RLow/b.R,
				100*b.RKind[0]/b.R, 100*b.RKind[1]/b.R, 100*b.RKind[2]/b.R,
				b.GSum[0]/b.N[0], b.GSum[1]/b.N[1], b.GSum[2]/b.N[2])
		}
	}
	return nil
}
