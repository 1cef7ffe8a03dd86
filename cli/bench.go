package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

func benchCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "bench",
		Usage:     "measure the speed of the whole denoise path, stage by stage",
		ArgsUsage: "[FILE...] (default: a generated 60 s 48 kHz 16-bit mono WAV)",
		Description: `Runs decode → enhance → encode (to memory, nothing is written) and reports
audio seconds, wall seconds, the real-time factor and the time per 10 ms of
audio in each stage. Inputs at a native rate (44.1, 48 kHz, …; see ghostrnn
info) run natively and, alternately in the same run, through the resampled
path (resample to the model's rate → enhance → resample back) as before;
the last line gives the median ratio of their real-time factors. With
--vs FILE the run instead alternates the model (--model, default the
embedded one) with the model in FILE, both on the same path, and the last
line gives the median ratio of their real-time factors (model / vs). --jobs 1
pins the Go runtime to one core.`,
		Flags: append([]ucli.Flag{
			&ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: 1, Usage: "files in parallel, and cores used"},
			&ucli.IntFlag{Name: "runs", Value: 3, Usage: "runs of each path, alternating native and resampled"},
			&ucli.Float64Flag{Name: "seconds", Value: 60, Usage: "length of the generated input when no FILE is given"},
			&ucli.BoolFlag{Name: "json", Usage: "print JSON"},
			&ucli.StringFlag{Name: "vs", Usage: "compare with this model file: alternate the two models on the same path in each run (e.g. --model v2.safetensors --vs models/ghostrnn.safetensors)"},
		}, engineFlags...),
		Action: runBench,
	}
}

// benchResult is the timing of one file.
type benchResult struct {
	File       string  `json:"file"`
	Path       string  `json:"path"`            // native or resampled
	Model      string  `json:"model,omitempty"` // with --vs: "model" or "vs"
	Run        int     `json:"run"`
	AudioSec   float64 `json:"audio_s"`
	WallSec    float64 `json:"wall_s"`
	RTF        float64 `json:"rtf"`
	DecodeUs   float64 `json:"decode_us_per_frame"`
	ResampleUs float64 `json:"resample_us_per_frame"`
	EnhanceUs  float64 `json:"enhance_us_per_frame"`
	EncodeUs   float64 `json:"encode_us_per_frame"`
	Error      string  `json:"error,omitempty"`
}

func runBench(c *ucli.Context) error {
	m, opts, mode, err := engineSetup(c)
	if err != nil {
		return exitf(2, "%v", err)
	}
	jobs := max(1, c.Int("jobs"))
	prev := runtime.GOMAXPROCS(jobs)
	defer runtime.GOMAXPROCS(prev)
	files := c.Args().Slice()
	if len(files) == 0 {
		dir, err := os.MkdirTemp("", "ghostrnn-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		p := filepath.Join(dir, "bench-48k.wav")
		if err := writeBenchInput(p, 48000, c.Float64("seconds")); err != nil {
			return err
		}
		files = []string{p}
	}
	var vs *enhancer.Model
	if p := c.String("vs"); p != "" {
		if vs, err = models.Load(p); err != nil {
			return exitf(2, "--vs: %v", err)
		}
	}
	var res []benchResult
	var ratios []float64
	for run := 1; run <= max(1, c.Int("runs")); run++ {
		var rtf [2]float64
		for i := range 2 {
			mm, resampled, name := m, i == 1, ""
			if vs != nil {
				mm, resampled, name = [2]*enhancer.Model{m, vs}[i], false, [2]string{"model", "vs"}[i]
			}
			rs := benchRun(files, jobs, mm, opts, mode, resampled)
			for j := range rs {
				rs[j].Run, rs[j].Model = run, name
			}
			res = append(res, rs...)
			rtf[i] = rs[len(rs)-1].RTF
		}
		if rtf[1] > 0 && (vs != nil || rtf[0] != rtf[1]) {
			ratios = append(ratios, rtf[0]/rtf[1])
		}
	}
	ratio := median(ratios)
	out := c.App.Writer
	if c.Bool("json") {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		key := "native_over_resampled_rtf"
		if vs != nil {
			key = "model_over_vs_rtf"
		}
		return enc.Encode(map[string]any{"jobs": jobs, "model_params": m.Arch.Params(), "results": res, key: ratio})
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "file\tpath\trun\taudio s\twall s\tRTF\tdecode µs/10ms\tresample µs/10ms\tenhance µs/10ms\tencode µs/10ms\t\n")
	for _, r := range res {
		path := r.Path
		if r.Model != "" {
			path += " (" + r.Model + ")"
		}
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\t%d\terror: %s\t\t\t\t\t\t\t\n", r.File, path, r.Run, r.Error)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%.3f\t%.4f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", filepath.Base(r.File), path, r.Run, r.AudioSec, r.WallSec, r.RTF, r.DecodeUs, r.ResampleUs, r.EnhanceUs, r.EncodeUs)
	}
	tw.Flush()
	if len(ratios) > 0 {
		pair := "native / resampled"
		if vs != nil {
			pair = "model / vs"
		}
		fmt.Fprintf(out, "%s real-time factor: median %.2f over %d alternating runs (min %.2f, max %.2f)\n", pair, ratio, len(ratios), slices.Min(ratios), slices.Max(ratios))
	}
	fmt.Fprintf(out, "(%d job(s), GOMAXPROCS=%d, %s)\n", jobs, jobs, runtime.Version())
	return nil
}

// benchRun times every file through one path (native where the rate allows,
// or resampled) and appends the overall row.
func benchRun(files []string, jobs int, m *enhancer.Model, opts enhancer.Options, mode enhancer.ChannelMode, resampled bool) []benchResult {
	res := make([]benchResult, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, jobs)
	start := time.Now()
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			res[i] = benchFile(f, m, opts, mode, resampled)
		}()
	}
	wg.Wait()
	path := "native"
	if resampled {
		path = "resampled"
	}
	total := benchResult{File: "overall", Path: path, WallSec: time.Since(start).Seconds()}
	var n float64
	for _, r := range res {
		if r.Error != "" {
			continue
		}
		total.AudioSec += r.AudioSec
		w := r.AudioSec
		total.DecodeUs += r.DecodeUs * w
		total.ResampleUs += r.ResampleUs * w
		total.EnhanceUs += r.EnhanceUs * w
		total.EncodeUs += r.EncodeUs * w
		n += w
	}
	if n > 0 {
		total.RTF = total.WallSec / total.AudioSec
		total.DecodeUs /= n
		total.ResampleUs /= n
		total.EnhanceUs /= n
		total.EncodeUs /= n
	}
	return append(res, total)
}

// median returns the median of x, 0 when empty.
func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(x))
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchFile runs the denoise path on path with per-stage timers.
func benchFile(path string, m *enhancer.Model, opts enhancer.Options, mode enhancer.ChannelMode, resampled bool) benchResult {
	res := benchResult{File: path, Path: "native"}
	fail := func(err error) benchResult { res.Error = err.Error(); return res }
	start := time.Now()
	r, closer, err := audio.Open(path)
	if err != nil {
		return fail(err)
	}
	defer closer.Close()
	f := r.Format()
	if resampled || !enhancer.Native(m, f.SampleRate) {
		res.Path = "resampled"
	}
	st, err := enhancer.NewStream(m, opts, enhancer.StreamConfig{Rate: f.SampleRate, Channels: f.Channels, Mode: mode, Aligned: true, Resample: resampled}, newResampler)
	if err != nil {
		return fail(err)
	}
	st.Times = &enhancer.StageTimes{}
	w, err := audio.CreateWAV(io.Discard, audio.Format{SampleRate: f.SampleRate, Channels: f.Channels, Encoding: audio.PCM16, Bits: 16})
	if err != nil {
		return fail(err)
	}
	tr, tw := &timedReader{Reader: r}, &timedWriter{Writer: w}
	frames, err := enhanceStream(context.Background(), tr, tw, st, func(int64) {})
	if err != nil {
		return fail(err)
	}
	dec, enc := tr.d, tw.d
	res.WallSec = time.Since(start).Seconds()
	res.AudioSec = float64(frames) / float64(f.SampleRate)
	if res.AudioSec == 0 {
		return fail(fmt.Errorf("no audio samples"))
	}
	res.RTF = res.WallSec / res.AudioSec
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / (res.AudioSec * 100) }
	res.DecodeUs, res.EncodeUs = per(dec), per(enc)
	res.ResampleUs, res.EnhanceUs = per(st.Times.Down+st.Times.Up), per(st.Times.Enhance)
	return res
}

// timedReader sums the time spent in Read.
type timedReader struct {
	audio.Reader
	d time.Duration
}

func (t *timedReader) Read(buf []float32) (int, error) {
	t0 := time.Now()
	n, err := t.Reader.Read(buf)
	t.d += time.Since(t0)
	return n, err
}

// timedWriter sums the time spent in Write and Close.
type timedWriter struct {
	audio.Writer
	d time.Duration
}

func (t *timedWriter) Write(buf []float32) error {
	t0 := time.Now()
	err := t.Writer.Write(buf)
	t.d += time.Since(t0)
	return err
}

func (t *timedWriter) Close() error {
	t0 := time.Now()
	err := t.Writer.Close()
	t.d += time.Since(t0)
	return err
}

// writeBenchInput writes sec seconds of a 16-bit mono WAV at rate: a
// speech-like harmonic tone with a syllable envelope plus noise.
func writeBenchInput(path string, rate int, sec float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := audio.CreateWAV(f, audio.Format{SampleRate: rate, Channels: 1, Encoding: audio.PCM16, Bits: 16})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(1))
	buf := make([]float32, rate/10)
	n := int(sec * float64(rate))
	for i := 0; i < n; i += len(buf) {
		k := min(len(buf), n-i)
		for j := 0; j < k; j++ {
			t := float64(i+j) / float64(rate)
			env := 0.5 + 0.5*math.Sin(2*math.Pi*4*t)
			v := 0.0
			for h := 1; h <= 8; h++ {
				v += math.Sin(2*math.Pi*140*float64(h)*t) / float64(h)
			}
			buf[j] = float32(0.1*env*v + 0.02*rng.NormFloat64())
		}
		if err := w.Write(buf[:k]); err != nil {
			return err
		}
	}
	return w.Close()
}
