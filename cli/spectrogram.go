package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
	"github.com/ghostrnn/ghostrnn/viz"
	"gonum.org/v1/plot/vg"
)

// plotMaxSec bounds how much audio a picture reads, so memory stays bounded.
const plotMaxSec = 600

func spectrogramCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "spectrogram",
		Usage:     "draw log-magnitude spectrograms, stacked on a shared time axis, to PNG",
		ArgsUsage: "IN... (audio files; multi-channel files are downmixed)",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Required: true, Usage: "PNG file to write"},
			&ucli.BoolFlag{Name: "mask", Usage: "add the model's gain mask for the first input"},
			&ucli.StringFlag{Name: "model", Usage: "model for --mask (default: embedded)"},
			&ucli.Float64Flag{Name: "width", Value: 10, Usage: "picture width in inches (100 px per inch)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 {
				return exitf(2, "spectrogram: no input given")
			}
			var mask *enhancer.Model
			if c.Bool("mask") {
				m, err := models.Open(c.String("model"))
				if err != nil {
					return exitf(2, "%v", err)
				}
				mask = m
			}
			if err := drawSpectrograms(c.String("output"), c.Args().Slice(), nil, mask, c.Float64("width")); err != nil {
				return exitf(1, "%v", err)
			}
			fmt.Fprintf(c.App.Writer, "wrote %s\n", c.String("output"))
			return nil
		},
	}
}

// drawSpectrograms writes a PNG of the spectrograms of files (titled by
// titles, or by file name), plus the gain mask of model m on the first file
// when m is not nil.
func drawSpectrograms(out string, files, titles []string, m *enhancer.Model, width float64) error {
	var panels []viz.Panel
	for i, f := range files {
		x, rate, err := audio.ReadMono(f, plotMaxSec)
		if err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		title := filepath.Base(f)
		if i < len(titles) {
			title = titles[i]
		}
		p, err := viz.Spectrogram(fmt.Sprintf("%s (%d Hz)", title, rate), x, rate)
		if err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		panels = append(panels, p)
		if i == 0 && m != nil {
			mp, err := gainMask(m, x, rate)
			if err != nil {
				return fmt.Errorf("%s: %v", f, err)
			}
			panels = append(panels, mp)
		}
	}
	return viz.SavePNG(out, panels, vgInches(width))
}

// gainMask runs m over x and returns its gains per 10 ms frame and bin.
func gainMask(m *enhancer.Model, x []float32, rate int) (viz.Panel, error) {
	e, err := enhancer.NewEngine(m, enhancer.DefaultOptions)
	if err != nil {
		return viz.Panel{}, err
	}
	cfg := e.Config()
	if rate != cfg.SampleRate {
		rs, err := newResampler(rate, cfg.SampleRate)
		if err != nil {
			return viz.Panel{}, err
		}
		x = rs.Flush(rs.Process(nil, x))
	}
	p := viz.Panel{Title: "GhostRNN gain mask (1 = kept)", Unit: "gain", Min: 0, Max: 1,
		FrameSec: float64(cfg.Hop) / float64(cfg.SampleRate), BinHz: float64(cfg.SampleRate) / float64(cfg.Window)}
	var scratch []float32
	for i := 0; i+cfg.Hop <= len(x); i += cfg.Hop {
		scratch = e.Process(scratch[:0], x[i:i+cfg.Hop])
		row := make([]float64, len(e.Gains()))
		for k, g := range e.Gains() {
			row[k] = float64(g)
		}
		p.Z = append(p.Z, row)
	}
	if len(p.Z) == 0 {
		return p, fmt.Errorf("too short for a gain mask")
	}
	return p, nil
}

// plotPath is the PNG written beside an output by denoise --plot.
func plotPath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".png"
}

func vgInches(w float64) vg.Length { return vg.Length(w) * vg.Inch }
