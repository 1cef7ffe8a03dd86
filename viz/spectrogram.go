// Package viz draws pictures of audio: stacked spectrograms and gain masks,
// rendered to PNG or JPEG with gonum/plot. Pictures are built from streams
// reduced to a fixed number of columns (Columns), so memory does not grow
// with the length of the audio.
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

// Panel is one time–frequency picture: Z[t][k] for column t and row k,
// column t centred at (t+0.5)·FrameSec seconds, row k at k·BinHz Hz.
type Panel struct {
	Title      string
	Unit       string // colour bar label, e.g. "dB" or "gain"
	Z          [][]float64
	FrameSec   float64 // seconds per column
	BinHz      float64 // Hz per row
	Min, Max   float64 // colour range
	Resolution string  // what one column is, e.g. "1 column = 2.4 s, max over 150 frames of 16 ms"
}

// Picture size limits: a picture holds at most MaxColumns columns of at
// most MaxRows rows per panel (a 10-inch picture is 1000 pixels wide), so
// its memory does not grow with the length of the audio.
const (
	MaxColumns = 1024
	MaxRows    = 512
)

// SpectrogramStream computes the log-magnitude spectrogram of a stream of
// mono samples in dB (full-scale sine ≈ 0 dB), with a 32 ms sqrt-Hann
// window and 16 ms hop, reduced to at most MaxColumns columns (max over
// the frames of a column) and MaxRows rows (max over the bins of a row):
// memory is fixed whatever the length. Frame t covers samples
// [t·H, (t+1)·H) of the new hop; the last partial hop is zero-padded.
type SpectrogramStream struct {
	a     *dsp.Analyzer
	hops  *Hopper
	row   []float32
	scale float64 // 2/Σw: a full-scale sine peaks at 0 dB
	rate  int
	cols  *Columns
}

// NewSpectrogramStream starts a spectrogram of audio at rate. samples is
// the expected length in samples, or ≤ 0 if unknown (it only sets the
// initial column width; any length works).
func NewSpectrogramStream(rate int, samples int64) (*SpectrogramStream, error) {
	hop := int(math.Round(0.016 * float64(rate)))
	cfg := dsp.Config{SampleRate: rate, Window: 2 * hop, Hop: hop}
	a, err := dsp.NewAnalyzer(cfg)
	if err != nil {
		return nil, err
	}
	sw := 0.0
	for _, v := range dsp.Window(cfg.Window) {
		sw += v
	}
	expected := int64(0)
	if samples > 0 {
		expected = (samples + int64(hop) - 1) / int64(hop)
	}
	cols, err := NewColumns(cfg.Bins(), MaxColumns, MaxRows, Max, expected)
	if err != nil {
		return nil, err
	}
	return &SpectrogramStream{a: a, hops: NewHopper(hop), row: make([]float32, cfg.Bins()), scale: 2 / sw, rate: rate, cols: cols}, nil
}

// Write adds samples to the spectrogram.
func (s *SpectrogramStream) Write(x []float32) { s.hops.Write(x, s.frame) }

// frame analyses one hop.
func (s *SpectrogramStream) frame(hop []float32) {
	for k, c := range s.a.Frame(hop) {
		s.row[k] = float32(20 * math.Log10(s.scale*cmplx.Abs(c)+1e-10))
	}
	s.cols.Add(s.row)
}

// Hopper cuts a stream of samples, written in chunks of any size, into
// hops of a fixed length.
type Hopper struct {
	hop []float32 // the hop being filled
	n   int       // samples in it
}

// NewHopper returns a Hopper of hops of n samples.
func NewHopper(n int) *Hopper { return &Hopper{hop: make([]float32, n)} }

// Write calls f with every hop that x completes, in order. The slice f gets
// is reused by the next call.
func (h *Hopper) Write(x []float32, f func(hop []float32)) {
	for len(x) > 0 {
		k := copy(h.hop[h.n:], x)
		h.n += k
		x = x[k:]
		if h.n == len(h.hop) {
			h.n = 0
			f(h.hop)
		}
	}
}

// Pending returns the samples of the unfinished hop, zero-padded to a whole
// hop, or nil if there are none; the Hopper is then empty.
func (h *Hopper) Pending() []float32 {
	if h.n == 0 {
		return nil
	}
	clear(h.hop[h.n:])
	h.n = 0
	return h.hop
}

// Columns returns the reducer, e.g. to check how many columns it holds.
func (s *SpectrogramStream) Columns() *Columns { return s.cols }

// Panel ends the stream (zero-padding a partial last hop) and returns its
// picture titled title, coloured over the top 90 dB. It fails on a stream
// without samples.
func (s *SpectrogramStream) Panel(title string) (Panel, error) {
	if hop := s.hops.Pending(); hop != nil {
		s.frame(hop)
	}
	if s.cols.Frames() == 0 {
		return Panel{}, fmt.Errorf("no audio samples")
	}
	hop := float64(len(s.hops.hop))
	p := s.cols.Panel(title, "dB", hop/float64(s.rate), float64(s.rate)/(2*hop))
	peak := -200.0
	for _, col := range p.Z {
		for _, v := range col {
			peak = math.Max(peak, v)
		}
	}
	p.Max = math.Ceil(peak/10) * 10
	p.Min = p.Max - 90
	return p, nil
}

// Spectrogram is the SpectrogramStream picture of the whole signal x.
func Spectrogram(title string, x []float32, rate int) (Panel, error) {
	s, err := NewSpectrogramStream(rate, int64(len(x)))
	if err != nil {
		return Panel{}, err
	}
	s.Write(x)
	return s.Panel(title)
}

// heatMap is a plotter.HeatMap without its GlyphBoxes method, which
// returns one box per cell (for 1024×512 cells, 590 MB allocated per
// picture; for the 37,500-frame pictures of 10 minutes this package used to
// draw, gigabytes) only to pad the axes, which a heat map filling its data
// range does not need.
type heatMap struct{ h *plotter.HeatMap }

func (m heatMap) Plot(c draw.Canvas, p *plot.Plot) { m.h.Plot(c, p) }
func (m heatMap) DataRange() (xmin, xmax, ymin, ymax float64) {
	return m.h.DataRange()
}

// grid adapts a Panel to plotter.GridXYZ: columns are frames, rows bins.
type grid struct{ p *Panel }

func (g grid) Dims() (c, r int) { return len(g.p.Z), len(g.p.Z[0]) }
func (g grid) Z(c, r int) float64 {
	return math.Min(math.Max(g.p.Z[c][r], g.p.Min), g.p.Max)
}
func (g grid) X(c int) float64 { return (float64(c) + 0.5) * g.p.FrameSec }
func (g grid) Y(r int) float64 { return float64(r) * g.p.BinHz / 1000 }

// Save stacks the panels on a shared time axis, each with its colour bar
// and its time resolution under the axis, and writes a picture of the
// given width (height grows with the panel count): PNG for a .png path,
// JPEG for .jpg or .jpeg (CheckImagePath tells the others apart early).
func Save(path string, panels []Panel, width vg.Length) error {
	if len(panels) == 0 {
		return fmt.Errorf("nothing to draw")
	}
	if err := CheckImagePath(path); err != nil {
		return err
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
		if p.Resolution != "" {
			plt.X.Label.Text += "; " + p.Resolution
		}
		plt.Y.Label.Text = "frequency (kHz)"
		plt.X.Min, plt.X.Max = 0, tmax
		hm := plotter.NewHeatMap(grid{p}, pal.Palette(256))
		hm.Rasterized = true
		hm.Min, hm.Max = p.Min, p.Max
		hm.NaN = color.Black
		plt.Add(heatMap{hm})
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
