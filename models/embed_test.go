package models

import (
	"strings"
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

// TestShippedV2: the v2 model (a per-bin head and a 0–2 kHz deep filter
// around v1's graph) and its plain-GRU twin ship beside the default, from
// the same recipe and split, within the budget, and the GhostRNN keeps the
// paper's saving in its recurrent core.
func TestShippedV2(t *testing.T) {
	want, wantTwin := enhancer.V2Arch, enhancer.V2TwinArch
	want.DF, wantTwin.DF = 40, 40
	g, err := Load("ghostrnn-v2.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	twin, err := Load("ghostrnn-v2-gru-twin.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	v1, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if g.Arch != want || twin.Arch != wantTwin {
		t.Errorf("archs %+v and %+v, want %+v and %+v", g.Arch, twin.Arch, want, wantTwin)
	}
	if g.Meta["recipe"] == "" || g.Meta["split"] != v1.Meta["split"] || twin.Meta["split"] != v1.Meta["split"] {
		t.Error("v2 or its twin lacks its recipe, or was validated on another split than v1")
	}
	if g.Meta["recipe"] != strings.Replace(twin.Meta["recipe"], "steps="+twin.Meta["train_steps"], "steps="+g.Meta["train_steps"], 1) {
		t.Errorf("the twin's recipe differs beyond its step count:\n%s\n%s", g.Meta["recipe"], twin.Meta["recipe"])
	}
	if p, macs := g.Arch.Params(), 100*g.Arch.MACsPerFrame(); p > 150_000 || macs > 40_000_000 {
		t.Errorf("v2: %d weights, %d MAC/s, want ≤ 150 k and ≤ 40 M", p, macs)
	}
	core := func(a enhancer.Arch) int {
		n := 0
		for _, ts := range a.Tensors() {
			if strings.HasPrefix(ts.Name, "gru") {
				n += ts.Size()
			}
		}
		return n
	}
	if r := float64(core(g.Arch)) / float64(core(twin.Arch)); r > 0.62 {
		t.Errorf("the GhostGRU stack has %.1f %% of the twin's recurrent weights, want ≤ 62 %%", 100*r)
	}
}
