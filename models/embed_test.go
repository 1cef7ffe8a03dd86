package models

import (
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// TestShippedModels: the embedded default is the GhostRNN within budget, and
// its twin is the plain GRU trained by the same recipe.
func TestShippedModels(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if m.Arch != enhancer.DefaultArch {
		t.Errorf("embedded arch %+v, want %+v", m.Arch, enhancer.DefaultArch)
	}
	if m.Meta["recipe"] == "" || m.Meta["split"] == "" {
		t.Error("embedded model lacks its recipe or data split in the metadata")
	}
	twin, err := Load("ghostrnn-gru-twin.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if twin.Arch != enhancer.TwinArch {
		t.Errorf("twin arch %+v, want %+v", twin.Arch, enhancer.TwinArch)
	}
	if r := float64(m.Arch.Params()) / float64(twin.Arch.Params()); r > 0.62 {
		t.Errorf("GhostRNN has %.1f %% of the twin's weights, want ≤ 62 %%", 100*r)
	}
}
