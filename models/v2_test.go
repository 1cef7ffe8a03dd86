package models

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// TestV2RoundTrip: a v2 model file says version=2 graph=v2, loads back to the
// same architecture and weights, and its version is refused without graph=v2.
func TestV2RoundTrip(t *testing.T) {
	for _, a := range []enhancer.Arch{enhancer.V2Arch, enhancer.V2TwinArch} {
		m, err := enhancer.NewModel(a)
		if err != nil {
			t.Fatal(err)
		}
		m.InitRandom(rand.New(rand.NewSource(1)))
		m.GainFloor = 0.03
		b, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if got.Arch != a || got.Meta["version"] != VersionV2 || got.Meta["graph"] != enhancer.GraphV2 {
			t.Fatalf("round trip: %+v (version %q graph %q), want %+v", got.Arch, got.Meta["version"], got.Meta["graph"], a)
		}
		for name, w := range m.Weights {
			for i, v := range w {
				if got.Weights[name][i] != v {
					t.Fatalf("%s[%d] = %v, want %v", name, i, got.Weights[name][i], v)
				}
			}
		}
		bad := strings.Replace(string(b), `"graph":"v2"`, `"graph":"v9"`, 1)
		if _, err := Decode([]byte(bad)); err == nil || !strings.Contains(err.Error(), "version") {
			t.Errorf("graph v9 with version 2: err %v, want an unsupported-version error", err)
		}
	}
}
