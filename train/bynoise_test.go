package train

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestValidationByNoise is a measurement, not a check: it scores the model
// files listed in $GHOSTRNN_BYNOISE (space-separated, relative to the
// repository root) on 240 held-out
// mixtures, 12 per held-out noise recording at 0 and at 5 dB SNR (speech of
// held-out speakers, −25 dBFS, 4 s), and prints the ΔSI-SDR per recording
// and its mean as a Markdown table. Ten times the 0/5 dB mixtures of the
// validation set, so it separates recipes the validation score cannot.
//
//	GHOSTRNN_BYNOISE="a.safetensors b.safetensors" go test -run ValidationByNoise -v ./train
func TestValidationByNoise(t *testing.T) {
	paths, c := measurement(t, "GHOSTRNN_BYNOISE")
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
		for i := 0; i < 12; i++ {
			for _, snr := range []float64{0, 5} {
				s := pick(rng, c.ValSpeech, n, false)
				nz := pick(rng, byGroup[g], n, true)
				x := mixAt(s, nz, snr, -25)
				items = append(items, ValItem{Cond: fmt.Sprintf("%s @ %g dB", g, snr), SNR: snr, Noisy: x, Clean: s})
			}
		}
	}
	var rows [][]string
	means := make([]float64, len(paths))
	for j, p := range paths {
		m := loadMeasured(t, p)
		r, err := Validate(m, items)
		if err != nil {
			t.Fatal(err)
		}
		for i, cd := range r.Conds {
			if j == 0 {
				rows = append(rows, []string{cd.Cond})
			}
			d := cd.SISDROut - cd.SISDRIn
			rows[i] = append(rows[i], fmt.Sprintf("%+.2f", d))
			means[j] += d / float64(len(r.Conds))
		}
	}
	fmt.Printf("| held-out noise | %s |\n|---|%s\n", strings.Join(paths, " | "), strings.Repeat("---|", len(paths)))
	for _, r := range rows {
		fmt.Printf("| %s |\n", strings.Join(r, " | "))
	}
	fmt.Print("| **mean ΔSI-SDR** |")
	for _, m := range means {
		fmt.Printf(" **%+.2f** |", m)
	}
	fmt.Println()
}
