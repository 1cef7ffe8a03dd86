package train

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/metrics"
)

// more is the number of mixtures per condition of the gap measurements,
// four times the validation set's.
const more = 48

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

// TestMeanSE checks meanSE on numbers worked by hand.
func TestMeanSE(t *testing.T) {
	for _, tc := range []struct {
		xs       []float64
		mean, se float64
	}{
		{[]float64{1, 1, 1}, 1, 0},
		{[]float64{1, 3}, 2, 1}, // sd √2, n 2
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, math.Sqrt(32.0 / 7 / 8)},
	} {
		m, se := meanSE(tc.xs)
		if math.Abs(m-tc.mean) > 1e-12 || math.Abs(se-tc.se) > 1e-12 {
			t.Errorf("meanSE(%v) = %v, %v; want %v, %v", tc.xs, m, se, tc.mean, tc.se)
		}
	}
}

// TestValidationGap is a measurement, not a check. For the model files in
// $GHOSTRNN_GAP it prints the ΔSI-SDR at 0, 5 and 10 dB input SNR, mean ±
// standard error over the mixtures, on sets that differ from the validation
// set in one thing each: four times as many mixtures; noise or speech from
// the training split instead of the held-out one (does the model generalise,
// or is it short of the target on what it was trained on too?); and each
// held-out mixture played twice with the second pass scored (how much does
// the cold start of the features' running mean and the GRU state cost?).
//
//	GHOSTRNN_GAP="models/ghostrnn.safetensors" go test -run ValidationGap -v ./train
func TestValidationGap(t *testing.T) {
	paths, c := measurement(t, "GHOSTRNN_GAP")
	held := ValSet(c, more)
	trainNoise, trainSpeech, both := *c, *c, *c
	trainNoise.ValNoise = c.Noise
	trainSpeech.ValSpeech = c.Speech
	both.ValNoise, both.ValSpeech = c.Noise, c.Speech
	sets := []struct {
		name  string
		items []ValItem
		twice bool
	}{
		{"validation set (12 per SNR)", ValSet(c, DefaultConfig(enhancer.DefaultArch).ValClips), false},
		{fmt.Sprintf("held-out speech and noise, %d per SNR", more), held, false},
		{"the same, second pass", held, true},
		{"held-out speech, training noise", ValSet(&trainNoise, more), false},
		{"training speech, held-out noise", ValSet(&trainSpeech, more), false},
		{"training speech and noise", ValSet(&both, more), false},
	}
	snrs := []float64{0, 5, 10}
	var out strings.Builder
	fmt.Fprintf(&out, "| model | mixtures | ΔSI-SDR 0 dB | 5 dB | 10 dB |\n|---|---|---|---|---|\n")
	for _, p := range paths {
		m := loadMeasured(t, p)
		eng, err := enhancer.NewEngine(m, enhancer.Options{AttenLimDB: 200, Mix: 1})
		if err != nil {
			t.Fatal(err)
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
				var out []float32
				buf, out = enhance(eng, buf, x)
				last := out[len(x)-len(it.Noisy):] // the (second) pass
				d[it.SNR] = append(d[it.SNR], SISDR(it.Clean, last)-SISDR(it.Clean, it.Noisy))
			}
			fmt.Fprintf(&out, "| %s | %s |", p, set.name)
			for _, snr := range snrs {
				mean, se := meanSE(d[snr])
				fmt.Fprintf(&out, " %+.2f ± %.2f |", mean, se)
			}
			fmt.Fprintln(&out)
		}
	}
	t.Log("\n" + out.String())
}

// TestValidationTargets48 is a measurement, not a check: for the model files
// in $GHOSTRNN_GAP it scores the targets (ΔSI-SDR per SNR, ΔSTOI, clean
// pass-through, noise-only attenuation) on 48 held-out mixtures per condition
// instead of the validation set's 12, with STOI from package metrics.
//
//	GHOSTRNN_GAP="models/ghostrnn.safetensors" go test -run ValidationTargets48 -v ./train
func TestValidationTargets48(t *testing.T) {
	paths, c := measurement(t, "GHOSTRNN_GAP")
	defer func(f func(ref, deg []float32, fs int) float64) { STOI = f }(STOI)
	STOI = func(ref, deg []float32, fs int) float64 {
		v, err := metrics.STOI(ref, deg, fs)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	items := ValSet(c, more)
	var out strings.Builder
	fmt.Fprintln(&out, "| model | ΔSI-SDR −5 / 0 / 5 / 10 / 15 / 20 dB | ΔSTOI −5 / 0 / 5 / 10 / 15 / 20 dB | clean pass | noise-only atten. |")
	fmt.Fprintln(&out, "|---|---|---|---|---|")
	for _, p := range paths {
		r, err := Validate(loadMeasured(t, p), items)
		if err != nil {
			t.Fatal(err)
		}
		var ds, dt []string
		for _, cs := range r.Conds {
			if cs.Cond != "clean" && cs.Cond != "noise" {
				ds = append(ds, fmt.Sprintf("%+.2f", cs.SISDROut-cs.SISDRIn))
				dt = append(dt, fmt.Sprintf("%+.4f", cs.STOIOut-cs.STOIIn))
			}
		}
		fmt.Fprintf(&out, "| %s | %s | %s | %.1f dB | %.1f dB |\n", p, strings.Join(ds, " / "), strings.Join(dt, " / "), r.CleanPass, r.NoiseAtt)
	}
	t.Log("\n" + out.String())
}
