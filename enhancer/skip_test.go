package enhancer

import (
	"testing"

	"github.com/ghostrnn/ghostrnn/dsp"
)

// TestSkipIndex checks the bands the feature skip reads: the nearest ERB band
// to each bin and its neighbours, clamped at the edges, or the proportional
// band when the bands do not fit.
func TestSkipIndex(t *testing.T) {
	small := Arch{Kind: KindGRU, Features: 20, Hidden: 4, Layers: 1, Ratio: 1, Bins: 9, Framing: framingFor(9, 0), Skip: 1}
	cases := []struct {
		name string
		a    Arch
		bin  int
		want []int
	}{
		{"default, DC", DefaultArch, 0, []int{0, 0, 1}},
		{"default, bin 1", DefaultArch, 1, []int{0, 0, 1}},
		{"default, 1 kHz", DefaultArch, 20, []int{18, 19, 20}},
		{"default, bands one bin apart up to bin 117", DefaultArch, 117, []int{115, 116, 117}},
		{"default, Nyquist", DefaultArch, 160, []int{126, 127, 127}},
		{"too few bins: proportional", small, 4, []int{7, 8, 9}},
		{"too few bins: last", small, 8, []int{16, 17, 18}},
	}
	for _, tc := range cases {
		w := 2*tc.a.Skip + 1
		got := tc.a.SkipIndex()[tc.bin*w : (tc.bin+1)*w]
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: bin %d reads bands %v, want %v", tc.name, tc.bin, got, tc.want)
				break
			}
		}
	}

	// Every bin's centre band is one whose centre no other band's beats.
	bands, err := dsp.ERBBands(dsp.DefaultConfig, DefaultArch.Features)
	if err != nil {
		t.Fatal(err)
	}
	centre := make([]int, len(bands))
	for b, bd := range bands {
		best := 0
		for i, v := range bd.Weights {
			if v > bd.Weights[best] {
				best = i
			}
		}
		centre[b] = bd.Start + best
	}
	idx := DefaultArch.SkipIndex()
	for k := 0; k < DefaultArch.Bins; k++ {
		b := idx[k*3+1]
		for o, c := range centre {
			if abs(c-k) < abs(centre[b]-k) {
				t.Fatalf("bin %d reads band %d (centre %d), but band %d's centre %d is nearer", k, b, centre[b], o, c)
			}
		}
	}
}
