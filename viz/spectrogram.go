// Package viz draws pictures of audio: stacked spectrograms and gain masks,
// rendered to PNG with gonum/plot.
package viz

import (
	"fmt"
	"image/color"
	"math"
	"math/cmplx"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ghostrnn/ghostrnn/dsp"
)

// Panel is one time–frequency picture: Z[t][k] for frame t and bin k, frame
// t centred at (t+0.5)·FrameSec seconds, bin k at k·BinHz Hz.
type Panel struct {
	Title    string
	Unit     string // colour bar label, e.g. "dB" or "gain"
	Z        [][]float64
	FrameSec float64
	BinHz    float64
	Min, Max float64 // colour range
}

// Spectrogram returns the log-magnitude spectrogram of x at rate in dB
// (full-scale sine ≈ 0 dB) with a 32 ms sqrt-Hann window and 16 ms hop,
// coloured over the top 90 dB.
func Spectrogram(title string, x []float32, rate int) (Panel, error) {
	hop := int(math.Round(0.016 * float64(rate)))
	cfg := dsp.Config{SampleRate: rate, Window: 2 * hop, Hop: hop}
	a, err := dsp.NewAnalyzer(cfg)
	if err != nil {
		return Panel{}, err
	}
	sw := 0.0
	for _, v := range dsp.Window(cfg.Window) {
		sw += v
	}
	p := Panel{Title: title, Unit: "dB", FrameSec: float64(hop) / float64(rate), BinHz: float64(rate) / float64(cfg.Window)}
	peak := -200.0
	frame := make([]float32, hop)
	for i := 0; i < len(x); i += hop {
		clear(frame)
		copy(frame, x[i:min(len(x), i+hop)])
		spec := a.Frame(frame)
		row := make([]float64, len(spec))
		for k, c := range spec {
			row[k] = 20 * math.Log10(2*cmplx.Abs(c)/sw+1e-10)
			peak = math.Max(peak, row[k])
		}
		p.Z = append(p.Z, row)
	}
	p.Max = math.Ceil(peak/10) * 10
	p.Min = p.Max - 90
	return p, nil
}

// grid adapts a Panel to plotter.GridXYZ: columns are frames, rows bins.
type grid struct{ p *Panel }

func (g grid) Dims() (c, r int) { return len(g.p.Z), len(g.p.Z[0]) }
func (g grid) Z(c, r int) float64 {
	return math.Min(math.Max(g.p.Z[c][r], g.p.Min), g.p.Max)
}
func (g grid) X(c int) float64 { return (float64(c) + 0.5) * g.p.FrameSec }
func (g grid) Y(r int) float64 { return float64(r) * g.p.BinHz / 1000 }

// SavePNG stacks the panels on a shared time axis, each with its colour bar,
// and writes a PNG of the given width (height grows with the panel count).
func SavePNG(path string, panels []Panel, width vg.Length) error {
	if len(panels) == 0 {
		return fmt.Errorf("nothing to draw")
	}
	rowH := 2.4 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(width, rowH*vg.Length(len(panels))), vgimg.UseDPI(100))
	dc := draw.New(img)
	tmax := 0.0
	for _, p := range panels {
		if len(p.Z) == 0 || len(p.Z[0]) == 0 {
			return fmt.Errorf("%s: empty picture", p.Title)
		}
		tmax = math.Max(tmax, float64(len(p.Z))*p.FrameSec)
	}
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4)}
	for i := range panels {
		p := &panels[i]
		c := tiles.At(dc, 0, i)
		barW := 0.9 * vg.Inch
		main := draw.Crop(c, 0, -barW, 0, 0)
		bar := draw.Crop(c, c.Max.X-c.Min.X-barW+vg.Points(8), 0, 0, 0)

		pal := moreland.ExtendedBlackBody()
		pal.SetMin(p.Min)
		pal.SetMax(p.Max)
		plt := plot.New()
		plt.Title.Text = p.Title
		plt.X.Label.Text = "time (s)"
		plt.Y.Label.Text = "frequency (kHz)"
		plt.X.Min, plt.X.Max = 0, tmax
		hm := plotter.NewHeatMap(grid{p}, pal.Palette(256))
		hm.Rasterized = true
		hm.Min, hm.Max = p.Min, p.Max
		hm.NaN = color.Black
		plt.Add(hm)
		plt.Draw(main)

		cb := plot.New()
		cb.HideX()
		cb.Y.Label.Text = p.Unit
		cb.Title.Text = " "
		cbar := &plotter.ColorBar{ColorMap: pal, Vertical: true}
		cb.Add(cbar)
		cb.Draw(bar)
	}
	return saveImage(img, path)
}
