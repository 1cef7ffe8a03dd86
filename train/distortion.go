package train

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/ghostrnn/ghostrnn/metrics"
)

// distortionConds are the conditions of measureDistortion: clean speech
// input and the two highest SNRs of ValSNRs (issue 16: v1's worst cases are
// clean-ish inputs).
var distortionConds = []struct{ cond, label string }{
	{"clean", "clean speech"},
	{"snr=20", "20 dB SNR"},
	{"snr=15", "15 dB SNR"},
}

// measureDistortion prints how much each model distorts the speech when
// there is little or no noise to remove: on the More held-out mixtures per
// condition of ValSet (clean input, 20 dB and 15 dB SNR), each model's
// output through the streaming engine (see Enhance), the noisy input itself
// and the ideal real gain per bin (Oracles, the models' output kind) are
// scored against the clean speech with metrics.STOI (and the paired ΔSTOI
// against the input's), metrics.SISDR and metrics.SpeechLSD (log-spectral
// distance, and the share of the bins of speech frames that lost more than
// 6 dB and of the speech energy in them: over-suppression); mean ±
// standard error over the mixtures. A mixture whose clean speech STOI cannot
// score is left out of the STOI columns, as in Validate.
func measureDistortion(w io.Writer, in MeasureInput) error {
	type system struct {
		name string
		run  func(x, s []float32) []float32
	}
	systems := []system{{"noisy input (unprocessed)", func(x, _ []float32) []float32 { return x }}}
	for _, o := range Oracles() {
		if strings.HasPrefix(o.Name, "ideal real gain per bin") {
			systems = append(systems, system{"oracle: " + o.Name, func(x, s []float32) []float32 { return ApplyOracle(o, x, s) }})
		}
	}
	for i, m := range in.Models {
		eng, err := valEngine(m)
		if err != nil {
			return fmt.Errorf("%s: %w", in.Names[i], err)
		}
		var buf []float32
		systems = append(systems, system{in.Names[i], func(x, _ []float32) []float32 {
			out, y := enhance(eng, buf, x)
			buf = out
			return y
		}})
	}
	type scores struct{ stoi, dstoi, sisdr, lsd, sup, lost []float64 }
	acc := make([][]scores, len(distortionConds)) // [cond][system]
	for ci := range acc {
		acc[ci] = make([]scores, len(systems))
	}
	for _, it := range ValSet(in.Corpus, in.More) {
		ci := -1
		for i, dc := range distortionConds {
			if dc.cond == it.Cond {
				ci = i
			}
		}
		if ci < 0 {
			continue
		}
		stoiIn, errIn := metrics.STOI(it.Clean, it.Noisy, SampleRate)
		for si, sys := range systems {
			y := sys.run(it.Noisy, it.Clean)
			a := &acc[ci][si]
			d, err := metrics.SpeechLSD(it.Clean, y, SampleRate)
			if err != nil {
				return fmt.Errorf("train: %s, %s mixture: %w", sys.name, it.Cond, err)
			}
			a.lsd, a.sup, a.lost = append(a.lsd, d.LSD), append(a.sup, 100*d.Suppressed), append(a.lost, 100*d.LostEnergy)
			a.sisdr = append(a.sisdr, metrics.SISDR(it.Clean, y))
			if errIn != nil {
				continue // too little speech for STOI: left out for every system
			}
			st, err := metrics.STOI(it.Clean, y, SampleRate)
			if err != nil {
				return fmt.Errorf("train: STOI of %s on a %s mixture: %w", sys.name, it.Cond, err)
			}
			a.stoi, a.dstoi = append(a.stoi, st), append(a.dstoi, st-stoiIn)
		}
	}
	ms := func(xs []float64, f string) string {
		m, se := meanSE(xs)
		if math.IsInf(m, 1) {
			return "∞ (identical)"
		}
		return fmt.Sprintf(f+" ± "+strings.Replace(f, "+", "", 1), m, se)
	}
	fmt.Fprintln(w, "| input | system | STOI | ΔSTOI | SI-SDR vs clean, dB | LSD of speech frames, dB | speech bins > 6 dB too low, % | speech energy in them, % |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for ci, dc := range distortionConds {
		for si, sys := range systems {
			a := acc[ci][si]
			dst := ms(a.dstoi, "%+.4f")
			if si == 0 {
				dst = "–"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", dc.label, strings.ReplaceAll(sys.name, "|", "\\|"),
				ms(a.stoi, "%.4f"), dst, ms(a.sisdr, "%.2f"), ms(a.lsd, "%.2f"), ms(a.sup, "%.1f"), ms(a.lost, "%.2f"))
		}
	}
	return nil
}
