package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/audio/resample"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/internal/atomicfile"
	"github.com/ghostrnn/ghostrnn/models"
)

// engineFlags are the model and control flags shared by denoise, bench and live.
var engineFlags = []ucli.Flag{
	&ucli.StringFlag{Name: "model", Usage: "model file (default: the embedded GhostRNN model)"},
	&ucli.Float64Flag{Name: "atten-lim-db", Value: enhancer.DefaultOptions.AttenLimDB, Usage: "maximum suppression in dB (0 = bypass)"},
	&ucli.Float64Flag{Name: "mix", Value: 1, Usage: "wet share 0…1 of the output (0 = untouched input)"},
	&ucli.StringFlag{Name: "channels", Value: "each", Usage: "each (own state per channel), mono (enhance the downmix once), left or right (enhance one channel, e.g. a one-sided stereo microphone)"},
}

// engineSetup reads the engine flags: the model, its options and the channel mode.
func engineSetup(c *ucli.Context) (*enhancer.Model, enhancer.Options, enhancer.ChannelMode, error) {
	o := enhancer.Options{AttenLimDB: c.Float64("atten-lim-db"), Mix: c.Float64("mix")}
	if err := o.Validate(); err != nil {
		return nil, o, 0, err
	}
	mode, err := enhancer.ParseChannelMode(c.String("channels"))
	if err != nil {
		return nil, o, 0, err
	}
	m, err := models.Open(c.String("model"))
	return m, o, mode, err
}

// newResampler adapts audio/resample to the enhancer's mono Resampler.
func newResampler(in, out int) (enhancer.Resampler, error) {
	return resample.New(in, out, 1)
}

func denoiseCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "denoise",
		Usage:     "remove noise from speech in audio files",
		ArgsUsage: "INPUT... (files, directories, globs, or - for WAV on stdin)",
		Description: `Cleans each input and writes NAME_denoised.EXT beside it (or under --out-dir,
mirroring the input tree). Outputs have the input's length, channels and rate,
time-aligned with it. Nothing is overwritten without --force, never an input.`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output file for a single input (- for WAV on stdout)"},
			&ucli.StringFlag{Name: "out-dir", Usage: "write outputs under this folder, mirroring the input tree"},
			&ucli.StringFlag{Name: "suffix", Value: "_denoised", Usage: "added to the input's name"},
			&ucli.StringFlag{Name: "format", Usage: "wav or flac (default: flac for FLAC input, else wav)"},
			&ucli.StringFlag{Name: "bits", Usage: "16, 24 or 32f (default: the input's)"},
			&ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.NumCPU(), Usage: "files processed in parallel"},
			&ucli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "overwrite existing outputs"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar or summary"},
			&ucli.BoolFlag{Name: "plot", Usage: "write OUTPUT.png beside each output: input and output spectrograms and the gain mask"},
			strictFlag,
		}, engineFlags...),
		Action: runDenoise,
	}
}

// denoiseJob is one input and where its output goes.
type denoiseJob struct {
	in  input
	out string // output path, or "-" for stdout
}

// DenoiseConfig is one `ghostrnn denoise` run. The command's flags fill it
// (denoiseConfig); tests and other commands call Denoise with it directly.
type DenoiseConfig struct {
	Inputs []string // files, folders (walked), globs, or "-" for WAV on stdin
	Output string   // -o: the output of a single input; "-" is stdout
	OutDir string   // outputs under this folder, mirroring the input tree
	Suffix string   // added to an input's name to name its output
	Format string   // "wav", "flac", or "" for the default
	Bits   string   // "16", "24", "32f", or "" for the input's
	Jobs   int      // files processed in parallel, ≥ 1
	Force  bool     // overwrite existing outputs
	Quiet  bool     // no progress bar or summary
	Plot   bool     // draw OUTPUT.png beside each output
	Strict bool     // refuse damaged inputs instead of salvaging what they hold

	Model   *enhancer.Model
	Options enhancer.Options
	Mode    enhancer.ChannelMode

	Stdin  io.Reader // the "-" input; nil means os.Stdin
	Stdout io.Writer // the "-" output; nil means os.Stdout
	Stderr io.Writer // errors, warnings, progress and summary; nil means os.Stderr

	// OnResult, if set, is called once per input with its result, one call
	// at a time, in the order the inputs finish.
	OnResult func(FileResult)
}

// FileResult is what became of one input.
type FileResult struct {
	Input    string  // input path, "-" for stdin
	Output   string  // output path, "-" for stdout; "" if none was planned
	Status   string  // "done" or "failed"
	AudioSec float64 // seconds of audio read
	WallSec  float64 // wall time spent on this input
	Warning  string  // e.g. NaN samples treated as silence
	Err      error   // why it failed
}

// DenoiseSummary counts the results of a run.
type DenoiseSummary struct {
	Files    int     // inputs found, including those that failed before processing
	Done     int     // outputs written
	Failed   int     // inputs that failed
	AudioSec float64 // seconds of audio of the inputs done
	WallSec  float64 // wall time of the whole run
	Jobs     int     // files processed in parallel
}

func runDenoise(c *ucli.Context) error {
	cfg, err := denoiseConfig(c)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum, err := Denoise(ctx, cfg)
	switch {
	case err != nil:
		return err
	case ctx.Err() != nil:
		return exitf(130, "interrupted: %d files finished and kept, unfinished outputs removed", sum.Done)
	case sum.Failed > 0:
		return &ExitError{Code: 1}
	}
	return nil
}

// denoiseConfig reads the flags of the denoise command.
func denoiseConfig(c *ucli.Context) (DenoiseConfig, error) {
	cfg := DenoiseConfig{
		Inputs: c.Args().Slice(),
		Output: c.String("output"),
		OutDir: c.String("out-dir"),
		Suffix: c.String("suffix"),
		Format: strings.ToLower(c.String("format")),
		Bits:   c.String("bits"),
		Jobs:   c.Int("jobs"),
		Force:  c.Bool("force"),
		Quiet:  c.Bool("quiet"),
		Plot:   c.Bool("plot"),
		Strict: c.Bool("strict"),
		Stderr: c.App.ErrWriter,
	}
	if len(cfg.Inputs) == 0 {
		return cfg, exitf(2, "denoise: no input given (see ghostrnn denoise --help)")
	}
	var err error
	if cfg.Model, cfg.Options, cfg.Mode, err = engineSetup(c); err != nil {
		return cfg, exitf(2, "%v", err)
	}
	return cfg, nil
}

// check refuses settings that cannot work, before any file is touched.
func (cfg *DenoiseConfig) check() error {
	if cfg.Format != "" && cfg.Format != "wav" && cfg.Format != "flac" {
		return exitf(2, "--format %q: want wav or flac", cfg.Format)
	}
	if cfg.Bits != "" && cfg.Bits != "16" && cfg.Bits != "24" && cfg.Bits != "32f" {
		return exitf(2, "--bits %q: want 16, 24 or 32f", cfg.Bits)
	}
	return nil
}

// Denoise cleans every input of cfg. Inputs that fail are reported on
// cfg.Stderr and counted; the error is for settings that stop the whole run.
// When ctx is cancelled, unfinished outputs are removed and the inputs not
// yet started are not counted as done.
func Denoise(ctx context.Context, cfg DenoiseConfig) (DenoiseSummary, error) {
	if cfg.Stdin == nil {
		cfg.Stdin = os.Stdin
	}
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if err := cfg.check(); err != nil {
		return DenoiseSummary{}, err
	}
	jobs, early, err := planDenoise(cfg)
	if err != nil {
		return DenoiseSummary{}, err
	}
	quiet := cfg.Quiet || cfg.Output == "-"
	prog := newProgress(cfg.Stderr, quiet, jobs)
	sum := DenoiseSummary{Files: len(jobs) + len(early), Jobs: max(1, min(cfg.Jobs, len(jobs)))}
	var mu sync.Mutex
	// report records one result; the caller holds mu.
	report := func(r FileResult) {
		if r.Warning != "" {
			prog.println(fmt.Sprintf("ghostrnn: %s: warning: %s", r.Input, r.Warning))
		}
		switch r.Status {
		case "done":
			sum.Done++
			sum.AudioSec += r.AudioSec
		case "failed":
			sum.Failed++
			if !errors.Is(r.Err, context.Canceled) {
				prog.println(fmt.Sprintf("ghostrnn: %v", r.Err))
			}
		}
		if cfg.OnResult != nil {
			cfg.OnResult(r)
		}
	}
	for _, r := range early {
		report(r)
	}
	start := time.Now()
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for w := 0; w < sum.Jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) || ctx.Err() != nil {
					return
				}
				r := denoiseOne(ctx, cfg, jobs[i], prog)
				mu.Lock()
				report(r)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	prog.finish()
	sum.WallSec = time.Since(start).Seconds()
	if !quiet {
		rtf := 0.0
		if sum.AudioSec > 0 {
			rtf = sum.WallSec / sum.AudioSec
		}
		fmt.Fprintf(cfg.Stderr, "denoised %d of %d files: %s of audio in %.2f s wall (real-time factor %.4f, %d jobs), %d failed\n",
			sum.Done, sum.Files, fmtDuration(sum.AudioSec), sum.WallSec, rtf, sum.Jobs, sum.Failed)
	}
	return sum, nil
}

// planDenoise expands the inputs of cfg and places their outputs. Inputs
// that cannot be processed come back as failed results.
func planDenoise(cfg DenoiseConfig) (jobs []denoiseJob, early []FileResult, err error) {
	ins, errs := expandInputs(cfg.Inputs)
	for _, e := range errs {
		early = append(early, FileResult{Status: "failed", Err: e})
	}
	if cfg.Output != "" && len(ins)+len(errs) > 1 {
		return nil, nil, exitf(2, "-o takes a single input; use --out-dir for several")
	}
	for _, in := range ins {
		out := cfg.Output
		if out == "" {
			out, err = outputPath(in, cfg.OutDir, cfg.Suffix, cfg.Format)
			if err != nil {
				early = append(early, FileResult{Input: in.path, Status: "failed", Err: err})
				continue
			}
		}
		if err := checkOutput(in.path, out, cfg.Force); err != nil {
			early = append(early, FileResult{Input: in.path, Output: out, Status: "failed", Err: err})
			continue
		}
		jobs = append(jobs, denoiseJob{in: in, out: out})
	}
	return jobs, early, nil
}

// denoiseOne processes one job of cfg and, with cfg.Plot, draws its picture.
func denoiseOne(ctx context.Context, cfg DenoiseConfig, j denoiseJob, prog *progress) FileResult {
	t0 := time.Now()
	r := FileResult{Input: j.in.path, Output: j.out, Status: "done"}
	sec, warn, err := denoiseFile(ctx, j, cfg, prog.add)
	r.AudioSec, r.Warning = sec, warn
	if err != nil {
		r.Status, r.Err = "failed", fmt.Errorf("%s: %w", j.in.path, err)
	} else if cfg.Plot && j.out != "-" && j.in.path != "-" {
		if perr := drawSpectrograms(plotPath(j.out), []string{j.in.path, j.out}, []string{"input " + filepath.Base(j.in.path), "denoised"}, cfg.Model, 10); perr != nil {
			prog.println(fmt.Sprintf("ghostrnn: %s: plot: %v", j.in.path, perr))
		}
	}
	r.WallSec = time.Since(t0).Seconds()
	return r
}

// outputPath places the output of in: beside it, or under outDir mirroring
// its relative path, with suffix and the output format's extension.
func outputPath(in input, outDir, suffix, format string) (string, error) {
	if in.path == "-" {
		return "", fmt.Errorf("-: stdin needs -o FILE or -o -")
	}
	ext := "." + outputFormat(in.path, format)
	rel := in.rel
	base := strings.TrimSuffix(rel, filepath.Ext(rel)) + suffix + ext
	if outDir != "" {
		return filepath.Join(outDir, base), nil
	}
	return filepath.Join(filepath.Dir(in.path), filepath.Base(base)), nil
}

// outputFormat is format, or by default flac for a .flac input and wav otherwise.
func outputFormat(in, format string) string {
	if format != "" {
		return format
	}
	if strings.EqualFold(filepath.Ext(in), ".flac") {
		return "flac"
	}
	return "wav"
}

// checkOutput refuses to write over an input, or over an existing file without force.
func checkOutput(in, out string, force bool) error {
	if out == "-" {
		return nil
	}
	if in != "-" {
		a, _ := filepath.Abs(in)
		b, _ := filepath.Abs(out)
		si, e1 := os.Stat(in)
		so, e2 := os.Stat(out)
		if a == b || (e1 == nil && e2 == nil && os.SameFile(si, so)) {
			return fmt.Errorf("%s: output would overwrite the input", in)
		}
	}
	if _, err := os.Stat(out); err == nil && !force {
		return fmt.Errorf("%s: output %s exists (use --force to overwrite)", in, out)
	}
	return nil
}

// denoiseFile cleans one file: decode, resample, enhance, resample, encode,
// into a temp file renamed over the output on success. It reports the audio
// duration in seconds and a warning (e.g. non-finite samples) if any.
func denoiseFile(ctx context.Context, j denoiseJob, cfg DenoiseConfig, progress func(permille int64)) (float64, string, error) {
	var (
		r      audio.Reader
		closer io.Closer
		err    error
	)
	opts := readOptions(cfg.Strict)
	if j.in.path == "-" {
		r, err = audio.NewReader(cfg.Stdin, "stdin", opts...)
	} else {
		r, closer, err = audio.Open(j.in.path, opts...)
	}
	if err != nil {
		return 0, "", err
	}
	if closer != nil {
		defer closer.Close()
	}
	f := r.Format()
	st, err := enhancer.NewStream(cfg.Model, cfg.Options, enhancer.StreamConfig{Rate: f.SampleRate, Channels: f.Channels, Mode: cfg.Mode, Aligned: true}, newResampler)
	if err != nil {
		return 0, "", err
	}
	of := audio.Format{SampleRate: f.SampleRate, Channels: f.Channels}
	of.Encoding, of.Bits = outputEncoding(f, cfg.Bits)

	var frames int64
	encode := func(dst io.Writer) error {
		var w audio.Writer
		var err error
		if outputFormat(j.in.path, cfg.Format) == "flac" && j.out != "-" {
			w, err = audio.CreateFLAC(dst, of)
		} else {
			w, err = audio.CreateWAV(dst, of, audio.Metadata(r)...)
		}
		if err != nil {
			return err
		}
		frames, err = enhanceStream(ctx, r, w, st, progress)
		return err
	}
	if j.out == "-" {
		err = encode(cfg.Stdout)
	} else {
		if err := os.MkdirAll(filepath.Dir(j.out), 0o755); err != nil {
			return 0, "", fmt.Errorf("cannot write output: %v", err)
		}
		// A temp file in the target folder, renamed on success: an
		// interrupted run leaves no partial output.
		err = atomicfile.Write(j.out, encode)
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Op == "open" {
			err = fmt.Errorf("cannot write output: %v", err)
		}
	}
	if err != nil {
		return 0, "", err
	}
	sec := float64(frames) / float64(f.SampleRate)
	warn := damageWarning(r, sec)
	if nf := audio.NonFinite(r); nf > 0 {
		warn = strings.TrimPrefix(warn+"; ", "; ") + fmt.Sprintf("%d NaN/Inf samples treated as silence", nf)
	}
	return sec, warn, nil
}

// enhanceStream pushes r through st into w, reporting progress in
// thousandths of the file, and closes w. It returns the frames read.
func enhanceStream(ctx context.Context, r audio.Reader, w audio.Writer, st *enhancer.Stream, progress func(permille int64)) (int64, error) {
	ch := r.Format().Channels
	buf := make([]float32, 4096*ch)
	var out []float32
	var frames, shown int64
	total := r.Frames()
	defer func() { progress(permille - shown) }()
	for {
		if err := ctx.Err(); err != nil {
			return frames, err
		}
		n, rerr := r.Read(buf)
		if n > 0 {
			out = st.Process(out[:0], buf[:n])
			if err := w.Write(out); err != nil {
				return frames, fmt.Errorf("writing output: %v", err)
			}
			frames += int64(n / ch)
			if total > 0 {
				now := min(permille, frames*permille/total)
				progress(now - shown)
				shown = now
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return frames, rerr
		}
	}
	if frames == 0 {
		return 0, fmt.Errorf("no audio samples")
	}
	if err := w.Write(st.Flush(out[:0])); err != nil {
		return frames, fmt.Errorf("writing output: %v", err)
	}
	if err := w.Close(); err != nil {
		return frames, fmt.Errorf("writing output: %v", err)
	}
	return frames, nil
}

// outputEncoding picks the output sample format: --bits, or the input's.
func outputEncoding(in audio.Format, bits string) (audio.Encoding, int) {
	switch bits {
	case "16":
		return audio.PCM16, 16
	case "24":
		return audio.PCM24, 24
	case "32f":
		return audio.Float32, 32
	}
	switch {
	case in.Encoding == audio.PCM24 || (in.Encoding == audio.FLAC && in.Bits == 24):
		return audio.PCM24, 24
	case in.Encoding == audio.PCM32 || in.Encoding == audio.Float32 || in.Encoding == audio.Float64:
		return audio.Float32, 32
	}
	return audio.PCM16, 16
}

// fmtDuration formats seconds as 1h02m03s, 2m03s or 3.4s.
func fmtDuration(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm%02ds", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%.1fs", s)
}
