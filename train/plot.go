package train

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotCurves draws the training loss and the validation SI-SDR improvement
// per input SNR against the step into a PNG at path.
func PlotCurves(hist []Record, path string) error {
	lossP := plot.New()
	lossP.Title.Text = "training loss"
	lossP.X.Label.Text = "step"
	lossP.Y.Label.Text = "loss"
	if pts := lossPoints(hist); len(pts) > 0 {
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		lossP.Add(l)
	}
	valP := plot.New()
	valP.Title.Text = "validation ΔSI-SDR (dB) by input SNR"
	valP.X.Label.Text = "step"
	valP.Y.Label.Text = "dB"
	series := map[string]plotter.XYs{}
	var names []string
	for _, r := range hist {
		if r.Kind != "val" || r.Val == nil {
			continue
		}
		for _, c := range r.Val.Conds {
			name, y := c.Cond, c.SISDROut-c.SISDRIn
			switch c.Cond {
			case "clean":
				continue
			case "noise":
				name, y = "noise-only atten/4", c.AttenDB/4
			}
			if math.IsNaN(y) || math.IsInf(y, 0) {
				continue
			}
			if _, ok := series[name]; !ok {
				names = append(names, name)
			}
			series[name] = append(series[name], plotter.XY{X: float64(r.Step), Y: y})
		}
	}
	for i, n := range names {
		l, err := plotter.NewLine(series[n])
		if err != nil {
			return err
		}
		l.Color = plotColor(i)
		valP.Add(l)
		valP.Legend.Add(n, l)
	}
	valP.Legend.Top = false
	img := vgimg.New(10*vg.Inch, 4*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	lossP.Draw(tiles.At(dc, 0, 0))
	valP.Draw(tiles.At(dc, 1, 0))
	return saveImage(img, path)
}

// lossPoints returns the (step, loss) points of the training records with a
// finite loss. The loss may be negative (the SDR term is in dB), so nothing
// else is left out.
func lossPoints(hist []Record) plotter.XYs {
	var pts plotter.XYs
	for _, r := range hist {
		if r.Kind == "train" && !math.IsNaN(r.Loss) && !math.IsInf(r.Loss, 0) {
			pts = append(pts, plotter.XY{X: float64(r.Step), Y: r.Loss})
		}
	}
	return pts
}

func plotColor(i int) color.Color {
	cs := []color.RGBA{{0x1f, 0x77, 0xb4, 255}, {0xff, 0x7f, 0x0e, 255}, {0x2c, 0xa0, 0x2c, 255}, {0xd6, 0x27, 0x28, 255}, {0x94, 0x67, 0xbd, 255}, {0x8c, 0x56, 0x4b, 255}, {0x7f, 0x7f, 0x7f, 255}}
	return cs[i%len(cs)]
}
