package viz

import (
	"path/filepath"
	"runtime"
	"testing"

	"gonum.org/v1/plot/vg"
)

// fullPanel is a panel of the largest size a picture holds.
func fullPanel() Panel {
	p := Panel{Title: "full", Unit: "dB", FrameSec: 1, BinHz: 1, Min: -90, Max: 0}
	for c := 0; c < MaxColumns; c++ {
		col := make([]float64, MaxRows)
		for r := range col {
			col[r] = -float64((c*r)%90) - 0.5
		}
		p.Z = append(p.Z, col)
	}
	return p
}

// TestSaveMemory: drawing the largest panel allocates a few MB in all
// (gonum's HeatMap alone would allocate a glyph box per cell: 590 MB).
func TestSaveMemory(t *testing.T) {
	p := fullPanel()
	path := filepath.Join(t.TempDir(), "x.png")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := Save(path, []Panel{p}, 10*vg.Inch); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if mb := float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20); mb > 48 {
		t.Errorf("Save of a %d×%d panel allocated %.0f MB, want < 48", MaxColumns, MaxRows, mb)
	} else {
		t.Logf("Save of a %d×%d panel allocated %.1f MB", MaxColumns, MaxRows, mb)
	}
}

// BenchmarkSave draws the largest panel.
func BenchmarkSave(b *testing.B) {
	p := fullPanel()
	path := filepath.Join(b.TempDir(), "x.png")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := Save(path, []Panel{p}, 10*vg.Inch); err != nil {
			b.Fatal(err)
		}
	}
}
