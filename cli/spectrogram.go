package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
	"github.com/ghostrnn/ghostrnn/viz"
	"gonum.org/v1/plot/vg"
)

func spectrogramCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "spectrogram",
		Usage:     "draw log-magnitude spectrograms, stacked on a shared time axis, to PNG or JPEG",
		ArgsUsage: "IN... (audio files; multi-channel files are downmixed)",
		Description: `Any length is drawn whole in bounded memory: a long file's frames are
reduced to at most 1024 columns (the loudest frame of each column is kept),
and the time axis says what one column is.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Required: true, Usage: "picture to write: .png, .jpg or .jpeg"},
			&ucli.BoolFlag{Name: "mask", Usage: "add the model's gain mask for the first input"},
			&ucli.StringFlag{Name: "model", Usage: "model for --mask (default: embedded)"},
			&ucli.Float64Flag{Name: "width", Value: 10, Usage: "picture width in inches (100 px per inch)"},
			strictFlag,
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 {
				return exitf(2, "spectrogram: no input given")
			}
			if err := viz.CheckImagePath(c.String("output")); err != nil {
				return exitf(2, "%v", err)
			}
			var mask *enhancer.Model
			if c.Bool("mask") {
				m, err := models.Open(c.String("model"))
				if err != nil {
					return exitf(2, "%v", err)
				}
				mask = m
			}
			warn := func(file, msg string) { fmt.Fprintf(c.App.ErrWriter, "ghostrnn: %s: warning: %s\n", file, msg) }
			if err := drawPicture(c.String("output"), c.Args().Slice(), nil, mask, c.Float64("width"), readOptions(c.Bool("strict")), warn); err != nil {
				return exitf(1, "%v", err)
			}
			fmt.Fprintf(c.App.Writer, "wrote %s\n", c.String("output"))
			return nil
		},
	}
}

// drawSpectrograms writes a picture of the spectrograms of files (titled by
// titles, or by file name), plus the gain mask of model m on the first file
// when m is not nil. Damaged inputs are drawn as far as they go, silently
// (denoise --plot has warned already).
func drawSpectrograms(out string, files, titles []string, m *enhancer.Model, width float64) error {
	return drawPicture(out, files, titles, m, width, readOptions(false), nil)
}

// drawPicture is drawSpectrograms reading with opts; warn, if not nil, is
// told about damaged inputs. Each file is streamed once: memory does not
// grow with its length.
func drawPicture(out string, files, titles []string, m *enhancer.Model, width float64, opts []audio.Option, warn func(file, msg string)) error {
	var panels []viz.Panel
	for i, f := range files {
		title := filepath.Base(f)
		if i < len(titles) {
			title = titles[i]
		}
		var mm *enhancer.Model
		if i == 0 {
			mm = m
		}
		ps, err := filePanels(f, title, mm, opts, warn)
		if err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		panels = append(panels, ps...)
	}
	return viz.Save(out, panels, vgInches(width))
}

// filePanels streams the file at path (downmixed to mono) into its
// spectrogram and, when m is not nil, the gain mask of m.
func filePanels(path, title string, m *enhancer.Model, opts []audio.Option, warn func(file, msg string)) ([]viz.Panel, error) {
	r, closer, err := audio.Open(path, opts...)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	f := r.Format()
	spec, err := viz.NewSpectrogramStream(f.SampleRate, r.Frames())
	if err != nil {
		return nil, err
	}
	var mask *maskStream
	if m != nil {
		if mask, err = newMaskStream(m, f.SampleRate, r.Frames()); err != nil {
			return nil, err
		}
	}
	buf := make([]float32, 4096*f.Channels)
	mono := make([]float32, 4096)
	var frames int64
	for {
		n, rerr := r.Read(buf)
		k := n / f.Channels
		downmix(mono[:k], buf[:n], f.Channels)
		spec.Write(mono[:k])
		if mask != nil {
			mask.Write(mono[:k])
		}
		frames += int64(k)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, rerr
		}
	}
	sec := float64(frames) / float64(f.SampleRate)
	if warn != nil {
		if w := damageWarning(r, sec); w != "" {
			warn(path, w)
		}
	}
	p, err := spec.Panel(fmt.Sprintf("%s (%d Hz, %s)", title, f.SampleRate, fmtDuration(sec)))
	if err != nil {
		return nil, err
	}
	panels := []viz.Panel{p}
	if mask != nil {
		mp, err := mask.Panel()
		if err != nil {
			return nil, err
		}
		panels = append(panels, mp)
	}
	return panels, nil
}

// downmix writes the average of the ch interleaved channels of x to dst.
func downmix(dst, x []float32, ch int) {
	if ch == 1 {
		copy(dst, x)
		return
	}
	inv := 1 / float32(ch)
	for i := range dst {
		var s float32
		for _, v := range x[i*ch : (i+1)*ch] {
			s += v
		}
		dst[i] = s * inv
	}
}

// maskStream runs a model over a stream at any rate and keeps its gains
// per 10 ms frame and bin, reduced to at most viz.MaxColumns columns (mean
// over the frames of a column).
type maskStream struct {
	e     *enhancer.Engine
	rs    enhancer.Resampler // to the model's rate; nil if the rates agree
	hops  *viz.Hopper
	rsOut []float32
	out   []float32
	cols  *viz.Columns
}

// newMaskStream starts a gain mask of m for audio at rate, of about
// samples samples (≤ 0 if unknown).
func newMaskStream(m *enhancer.Model, rate int, samples int64) (*maskStream, error) {
	e, err := enhancer.NewEngine(m, enhancer.DefaultOptions)
	if err != nil {
		return nil, err
	}
	cfg := e.Config()
	s := &maskStream{e: e, hops: viz.NewHopper(cfg.Hop)}
	if rate != cfg.SampleRate {
		if s.rs, err = newResampler(rate, cfg.SampleRate); err != nil {
			return nil, err
		}
	}
	expected := int64(0)
	if samples > 0 {
		expected = samples * int64(cfg.SampleRate) / int64(rate) / int64(cfg.Hop)
	}
	s.cols, err = viz.NewColumns(cfg.Bins(), viz.MaxColumns, viz.MaxRows, viz.Mean, expected)
	return s, err
}

// Write pushes mono samples at the stream's rate.
func (s *maskStream) Write(x []float32) {
	if s.rs != nil {
		s.rsOut = s.rs.Process(s.rsOut[:0], x)
		x = s.rsOut
	}
	s.hops.Write(x, s.frame)
}

// frame runs the model over one hop at its rate and keeps the gains.
func (s *maskStream) frame(hop []float32) {
	s.out = s.e.Process(s.out[:0], hop)
	s.cols.Add(s.e.Gains())
}

// Panel ends the stream (a partial last hop is dropped) and returns the
// picture of the gains.
func (s *maskStream) Panel() (viz.Panel, error) {
	if s.rs != nil {
		s.rsOut = s.rs.Flush(s.rsOut[:0])
		s.hops.Write(s.rsOut, s.frame)
	}
	if s.cols.Frames() == 0 {
		return viz.Panel{}, fmt.Errorf("too short for a gain mask")
	}
	cfg := s.e.Config()
	p := s.cols.Panel("GhostRNN gain mask (1 = kept)", "gain", float64(cfg.Hop)/float64(cfg.SampleRate), float64(cfg.SampleRate)/float64(cfg.Window))
	p.Min, p.Max = 0, 1
	return p, nil
}

// plotPath is the PNG written beside an output by denoise --plot.
func plotPath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".png"
}

func vgInches(w float64) vg.Length { return vg.Length(w) * vg.Inch }
