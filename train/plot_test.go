package train

import (
	"math"
	"testing"
)

// TestLossPoints: the curve keeps negative losses (the SDR term is in dB and
// drives the loss below zero) and drops only non-finite ones.
func TestLossPoints(t *testing.T) {
	hist := []Record{
		{Kind: "train", Step: 10, Loss: 0.03},
		{Kind: "val", Step: 10},
		{Kind: "train", Step: 20, Loss: -0.09},
		{Kind: "train", Step: 30, Loss: math.NaN()},
		{Kind: "train", Step: 40, Loss: math.Inf(1)},
		{Kind: "train", Step: 50, Loss: 0},
	}
	pts := lossPoints(hist)
	want := []struct{ x, y float64 }{{10, 0.03}, {20, -0.09}, {50, 0}}
	if len(pts) != len(want) {
		t.Fatalf("%d points %v, want %v", len(pts), pts, want)
	}
	for i, w := range want {
		if pts[i].X != w.x || pts[i].Y != w.y {
			t.Errorf("point %d = %v, want %v", i, pts[i], w)
		}
	}
}
