package train

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// TestDistortionReferenceRows runs the distortion table with no model on the
// generated corpus and checks its two reference rows, which it knows
// without a model: unprocessed clean input is the clean speech (STOI 1, no
// spectral distance, nothing suppressed), and at 20 dB SNR the ideal real
// gain per bin is closer to the clean speech than the noisy input in SI-SDR
// and in the log-spectral distance of speech frames.
func TestDistortionReferenceRows(t *testing.T) {
	var b bytes.Buffer
	if err := measureDistortion(&b, MeasureInput{Corpus: synthCorpus(3), ValClips: 2, More: 2}); err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n")[2:] {
		c := strings.Split(strings.Trim(l, "| "), " | ")
		rows[c[0]+"/"+strings.Fields(c[1])[0]] = c
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows, want 3 conditions × 2 references:\n%s", len(rows), b.String())
	}
	if got, want := strings.Join(rows["clean speech/noisy"][2:], " | "), "1.0000 ± 0.0000 | – | ∞ (identical) | 0.00 ± 0.00 | 0.0 ± 0.0 | 0.00 ± 0.00"; got != want {
		t.Errorf("unprocessed clean input: %q, want %q", got, want)
	}
	mean := func(cell string) float64 {
		v, err := strconv.ParseFloat(strings.Fields(cell)[0], 64)
		if err != nil {
			t.Fatalf("cell %q: %v", cell, err)
		}
		return v
	}
	in, or := rows["20 dB SNR/noisy"], rows["20 dB SNR/oracle:"]
	if mean(or[4]) <= mean(in[4]) || mean(or[5]) >= mean(in[5]) {
		t.Errorf("at 20 dB the ideal gain (SI-SDR %s, LSD %s) is no closer to the clean speech than the input (%s, %s)", or[4], or[5], in[4], in[5])
	}
}
