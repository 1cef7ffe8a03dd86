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
	"slices"
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
		ArgsUsage: "INPUT... (files, folders, globs with ** or - for WAV on stdin)",
		Description: `Cleans each input and writes NAME_denoised.EXT beside it (or under --out-dir,
mirroring the input tree). Outputs have the input's length, channels and rate,
time-aligned with it. The output format is the -o name's extension (.wav or
.flac), else --format, else FLAC for FLAC input and WAV otherwise; float input
goes to FLAC as 24-bit. An existing output is "already done" (skipped, exit 0)
unless --force; inputs are never overwritten; a folder's own outputs are not
taken as inputs on a rerun. Devices and FIFOs (-o /dev/null) are written in
place, never replaced.

Examples:
   ghostrnn denoise talk.wav                        # writes talk_denoised.wav beside it
   ghostrnn denoise talk.mp3 -o talk-clean.flac     # format from the extension
   ghostrnn denoise interviews/ --out-dir cleaned/  # walks the folder, mirrors the tree
   ghostrnn denoise 'takes/**/*.flac' --bits 24 --jobs 2
   ghostrnn denoise podcast.mp3 --atten-lim-db 12 --mix 0.9
   sox noisy.flac -t wav - | ghostrnn denoise - -o - | sox -t wav - -n stat`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output file for a single input: .wav or .flac, a device or FIFO, or - for WAV on stdout"},
			&ucli.StringFlag{Name: "out-dir", Usage: "write outputs under this folder, mirroring the input tree"},
			&ucli.StringFlag{Name: "suffix", Value: "_denoised", Usage: "added to the input's name"},
			&ucli.StringFlag{Name: "format", Usage: "wav or flac (default: -o's extension, else flac for FLAC input, else wav)"},
			&ucli.StringFlag{Name: "bits", Usage: "16, 24 or 32f (default: the input's; float to FLAC is 24)"},
			&ucli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.NumCPU(), Usage: "files processed in parallel (≥ 1)"},
			&ucli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "overwrite existing outputs"},
			&ucli.BoolFlag{Name: "skip-existing", Usage: "skip inputs whose output exists (also -o), without a line per file"},
			&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar or summary"},
			&ucli.BoolFlag{Name: "plot", Usage: "write OUTPUT.png beside each output: input and output spectrograms and the gain mask"},
			&ucli.StringFlag{Name: "shard", Usage: "I/N: process only shard I of N of the inputs (by a hash of the path below its argument); auto/N takes I from $JOB_COMPLETION_INDEX (Kubernetes Indexed Job)"},
			&ucli.StringFlag{Name: "report", Usage: "append one JSON line per input to this file (a folder: shard-I-of-N.jsonl in it); merge with ghostrnn report"},
			strictFlag,
		}, engineFlags...),
		Action: runDenoise,
	}
}

// denoiseJob is one input and where its output goes.
type denoiseJob struct {
	in     input
	out    string  // output path as given or placed, or "-" for stdout
	target string  // where the output is written (out, or a link's target)
	kind   outKind // how it is written
	format string  // "wav" or "flac"
}

// DenoiseConfig is one `ghostrnn denoise` run. The command's flags fill it
// (denoiseConfig); tests and other commands call Denoise with it directly.
type DenoiseConfig struct {
	Inputs       []string // files, folders (walked), globs, or "-" for WAV on stdin
	Output       string   // -o: the output of a single input; "-" is stdout
	OutDir       string   // outputs under this folder, mirroring the input tree
	Suffix       string   // added to an input's name to name its output
	Format       string   // "wav", "flac", or "" for the default
	Bits         string   // "16", "24", "32f", or "" for the input's
	Jobs         int      // files processed in parallel, ≥ 1
	Force        bool     // overwrite existing outputs
	SkipExisting bool     // skip inputs whose output exists, quietly (also with -o)
	Quiet        bool     // no progress bar or summary
	Plot         bool     // draw OUTPUT.png beside each output
	Shard        Shard    // process only this shard's inputs; the zero Shard is all
	Report       string   // append a JSON line per input here (see reportPath); "" for none
	Strict       bool     // refuse damaged inputs instead of salvaging what they hold

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
	Status   string  // "done", "skipped" (its output exists) or "failed"
	AudioSec float64 // seconds of audio read
	WallSec  float64 // wall time spent on this input
	Warning  string  // e.g. NaN samples treated as silence, clipping
	Err      error   // why it failed
}

// DenoiseSummary counts the results of a run.
type DenoiseSummary struct {
	Files    int     // inputs found, including those that failed before processing
	Done     int     // outputs written
	Skipped  int     // outputs that existed already
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
	ctx, caught, stop := signalContext(c.Context)
	defer stop()
	sum, err := Denoise(ctx, cfg)
	switch {
	case err != nil:
		return err
	case ctx.Err() != nil:
		sig := caught()
		return exitf(128+int(sig), "interrupted by %s: %d %s finished and kept, unfinished outputs removed",
			signalName(sig), sum.Done, plural(sum.Done, "file", "files"))
	case sum.Failed > 0:
		return &ExitError{Code: 1}
	}
	return nil
}

// signalContext returns a context cancelled by SIGINT or SIGTERM, a function
// telling which signal came, and a stop function that ends the watch.
func signalContext(parent context.Context) (context.Context, func() syscall.Signal, func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got atomic.Int32
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			if ss, ok := s.(syscall.Signal); ok {
				got.Store(int32(ss))
			}
			cancel()
		case <-done:
		}
	}()
	stop := func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
	return ctx, func() syscall.Signal { return syscall.Signal(got.Load()) }, stop
}

// signalName names the signals runDenoise stops on.
func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// denoiseConfig reads the flags of the denoise command.
func denoiseConfig(c *ucli.Context) (DenoiseConfig, error) {
	cfg := DenoiseConfig{
		Inputs:       c.Args().Slice(),
		Output:       c.String("output"),
		OutDir:       c.String("out-dir"),
		Suffix:       c.String("suffix"),
		Format:       strings.ToLower(c.String("format")),
		Bits:         c.String("bits"),
		Jobs:         c.Int("jobs"),
		Force:        c.Bool("force"),
		SkipExisting: c.Bool("skip-existing"),
		Quiet:        c.Bool("quiet"),
		Plot:         c.Bool("plot"),
		Report:       c.String("report"),
		Strict:       c.Bool("strict"),
		Stderr:       c.App.ErrWriter,
	}
	if len(cfg.Inputs) == 0 {
		return cfg, exitf(2, "denoise: no input given (see ghostrnn denoise --help)")
	}
	if err := cfg.check(); err != nil {
		return cfg, err
	}
	var err error
	if cfg.Shard, err = ParseShard(c.String("shard"), os.Getenv); err != nil {
		return cfg, exitf(2, "%v", err)
	}
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
	if cfg.Shard.Count > 0 && slices.Contains(cfg.Inputs, "-") {
		return exitf(2, "--shard: stdin (-) cannot be sharded; give files or folders")
	}
	if cfg.Jobs < 1 {
		return exitf(2, "--jobs %d: want 1 or more files in parallel", cfg.Jobs)
	}
	if cfg.Force && cfg.SkipExisting {
		return exitf(2, "--force and --skip-existing contradict each other: give one")
	}
	if cfg.Output == "" {
		if cfg.Format == "flac" {
			if err := checkBits(cfg.Bits, cfg.Format); err != nil {
				return exitf(2, "%v", err)
			}
		}
		return nil
	}
	if cfg.OutDir != "" {
		return exitf(2, "-o %s and --out-dir %s: give one (-o names the output of a single input, --out-dir holds the outputs of many)", cfg.Output, cfg.OutDir)
	}
	if cfg.Plot && cfg.Output == "-" {
		return exitf(2, "--plot draws beside the output file, and -o - has none: write to a file, or run ghostrnn spectrogram on the result")
	}
	format, err := outputFormat("", cfg.Output, cfg.Format)
	if err != nil {
		return exitf(2, "%v", err)
	}
	if byName, _ := nameFormat(cfg.Output); byName != "" || cfg.Format != "" {
		if err := checkBits(cfg.Bits, format); err != nil {
			return exitf(2, "%v", err)
		}
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
	var rlog *reportLog
	if cfg.Report != "" {
		if rlog, err = openReportLog(reportPath(cfg.Report, cfg.Shard), cfg.Shard); err != nil {
			return DenoiseSummary{}, exitf(2, "%v", err)
		}
		defer func() {
			if err := rlog.Close(); err != nil {
				fmt.Fprintf(cfg.Stderr, "ghostrnn: --report: %v\n", err)
			}
		}()
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
		case "skipped":
			sum.Skipped++
			if !cfg.SkipExisting {
				prog.println(fmt.Sprintf("ghostrnn: %s: already done: %s exists (--force to redo)", r.Input, r.Output))
			}
		case "failed":
			sum.Failed++
			if !errors.Is(r.Err, context.Canceled) {
				prog.println(fmt.Sprintf("ghostrnn: %v", r.Err))
			}
		}
		if cfg.OnResult != nil {
			cfg.OnResult(r)
		}
		if err := rlog.add(r); err != nil {
			prog.println(fmt.Sprintf("ghostrnn: --report: %v", err))
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
		skipped := ""
		if sum.Skipped > 0 {
			skipped = fmt.Sprintf(" (%d already done)", sum.Skipped)
		}
		if sum.Done == 0 {
			fmt.Fprintf(cfg.Stderr, "denoised 0 of %d %s%s, %d failed\n", sum.Files, plural(sum.Files, "file", "files"), skipped, sum.Failed)
			return sum, nil
		}
		fmt.Fprintf(cfg.Stderr, "denoised %d of %d %s%s: %s of audio in %.2f s wall (real-time factor %.4f, %d %s), %d failed\n",
			sum.Done, sum.Files, plural(sum.Files, "file", "files"), skipped, fmtDuration(sum.AudioSec), sum.WallSec, rtf,
			sum.Jobs, plural(sum.Jobs, "job", "jobs"), sum.Failed)
	}
	return sum, nil
}

// planDenoise expands the inputs of cfg and places their outputs. Inputs
// that cannot be processed, or whose output exists (without --force), come
// back as results; the error is a usage error that stops the run.
func planDenoise(cfg DenoiseConfig) (jobs []denoiseJob, early []FileResult, err error) {
	ins, errs := expandInputs(cfg.Inputs)
	// Own outputs are dropped before sharding: an output and its source may
	// fall into different shards.
	ins = cfg.Shard.pick(dropOwnOutputs(ins, cfg))
	for _, e := range errs {
		early = append(early, FileResult{Status: "failed", Err: e})
	}
	if cfg.Output != "" && len(ins)+len(errs) > 1 {
		return nil, nil, exitf(2, "-o takes a single input; use --out-dir for several")
	}
	for _, in := range ins {
		j, r := planJob(cfg, in)
		if r != nil {
			early = append(early, *r)
			continue
		}
		if cfg.Plot && (j.kind == outDirect || j.kind == outStdout) {
			return nil, nil, exitf(2, "--plot draws beside the output file, and %s is not one: write to a file", j.out)
		}
		jobs = append(jobs, j)
	}
	return jobs, early, nil
}

// planJob places the output of in, or says why in is not processed.
func planJob(cfg DenoiseConfig, in input) (denoiseJob, *FileResult) {
	j := denoiseJob{in: in, out: cfg.Output}
	fail := func(err error) (denoiseJob, *FileResult) {
		return j, &FileResult{Input: in.path, Output: j.out, Status: "failed", Err: fmt.Errorf("%s: %w", in.path, err)}
	}
	var err error
	if j.out == "" {
		j.format, _ = outputFormat(in.path, "", cfg.Format)
		if j.out, err = outputPath(in, cfg.OutDir, cfg.Suffix, j.format); err != nil {
			return j, &FileResult{Input: in.path, Status: "failed", Err: err}
		}
	} else if j.format, err = outputFormat(in.path, j.out, cfg.Format); err != nil {
		return fail(err)
	}
	if err := checkBits(cfg.Bits, j.format); err != nil {
		return fail(err)
	}
	if sameFile(in.path, j.out) {
		return fail(errors.New("output would overwrite the input"))
	}
	if j.kind, j.target, err = classifyOutput(j.out); err != nil {
		return fail(err)
	}
	if j.kind == outReplace && !cfg.Force {
		if cfg.Output != "" && !cfg.SkipExisting {
			return fail(fmt.Errorf("output %s exists (--force to overwrite, --skip-existing to skip)", j.out))
		}
		return j, &FileResult{Input: in.path, Output: j.out, Status: "skipped"}
	}
	return j, nil
}

// dropOwnOutputs removes from the inputs found in folders and by globs those
// that are the outputs of other inputs under cfg's naming rule (in either
// format), so that a rerun on a folder does not denoise its own outputs.
func dropOwnOutputs(ins []input, cfg DenoiseConfig) []input {
	if cfg.Output != "" {
		return ins
	}
	stem := func(p string) string {
		a, _ := filepath.Abs(p)
		return strings.TrimSuffix(a, filepath.Ext(a))
	}
	outputs := map[string]string{} // output stem → the input it comes from
	for _, in := range ins {
		if in.path == "-" {
			continue
		}
		if out, err := outputPath(in, cfg.OutDir, cfg.Suffix, "wav"); err == nil {
			outputs[stem(out)] = in.path
		}
	}
	kept := ins[:0:0]
	for _, in := range ins {
		ext := strings.ToLower(filepath.Ext(in.path))
		if src, ok := outputs[stem(in.path)]; ok && in.found && src != in.path && (ext == ".wav" || ext == ".flac") {
			continue
		}
		kept = append(kept, in)
	}
	return kept
}

// denoiseOne processes one job of cfg and, with cfg.Plot, draws its picture.
func denoiseOne(ctx context.Context, cfg DenoiseConfig, j denoiseJob, prog *progress) FileResult {
	t0 := time.Now()
	r := FileResult{Input: j.in.path, Output: j.out, Status: "done"}
	sec, warn, err := denoiseFile(ctx, j, cfg, prog.add)
	r.AudioSec, r.Warning = sec, warn
	if err != nil {
		r.Status, r.Err = "failed", fmt.Errorf("%s: %w", j.in.path, err)
	} else if cfg.Plot && j.kind != outStdout && j.kind != outDirect && j.in.path != "-" {
		if perr := drawSpectrograms(plotPath(j.out), []string{j.in.path, j.out}, []string{"input " + filepath.Base(j.in.path), "denoised"}, cfg.Model, 10); perr != nil {
			prog.println(fmt.Sprintf("ghostrnn: %s: plot: %v", j.in.path, perr))
		}
	}
	r.WallSec = time.Since(t0).Seconds()
	return r
}

// denoiseFile cleans one file: decode, resample, enhance, resample, encode.
// A new or replaced output is written whole or not at all (atomicfile); a
// device, FIFO or stdout is written in place. It reports the audio duration
// in seconds and warnings (non-finite samples, clipping), if any.
func denoiseFile(ctx context.Context, j denoiseJob, cfg DenoiseConfig, progress func(permille int64)) (float64, string, error) {
	var (
		r      audio.Reader
		closer io.Closer
		err    error
	)
	opts := readOptions(cfg.Strict)
	if j.in.path == "-" {
		stdin, done := cancellableReader(ctx, cfg.Stdin)
		defer done()
		r, err = audio.NewReader(stdin, "stdin", opts...)
	} else {
		r, closer, err = audio.Open(j.in.path, opts...)
	}
	if ctx.Err() != nil {
		return 0, "", ctx.Err()
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
	if j.format == "" {
		j.format = "wav"
	}
	if j.target == "" {
		j.target = j.out
	}
	of := audio.Format{SampleRate: f.SampleRate, Channels: f.Channels}
	of.Encoding, of.Bits = outputEncoding(f, cfg.Bits, j.format)

	var (
		frames  int64
		clipped int64
	)
	encode := func(dst io.Writer) error {
		var w audio.Writer
		var err error
		if j.format == "flac" {
			w, err = audio.CreateFLAC(dst, of)
		} else {
			w, err = audio.CreateWAV(dst, of, audio.Metadata(r)...)
		}
		if err != nil {
			return err
		}
		frames, err = enhanceStream(ctx, r, w, st, progress)
		if c, ok := w.(interface{ Clipped() int64 }); ok {
			clipped = c.Clipped()
		}
		return err
	}
	switch j.kind {
	case outStdout:
		err = encode(cfg.Stdout)
	case outDirect:
		var o *os.File
		if o, err = openDirect(j.target); err != nil {
			return 0, "", err
		}
		err = encode(o)
		if cerr := o.Close(); err == nil && cerr != nil {
			err = cerr
		}
	default:
		if err := os.MkdirAll(filepath.Dir(j.target), 0o755); err != nil {
			return 0, "", fmt.Errorf("cannot write output: %v", err)
		}
		err = atomicfile.Write(j.target, encode)
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Op == "open" {
			return 0, "", fmt.Errorf("cannot write output: %v", err)
		}
	}
	if ctx.Err() != nil {
		return 0, "", ctx.Err()
	}
	if err != nil {
		return 0, "", writeError(j.out, err)
	}
	sec := float64(frames) / float64(f.SampleRate)
	var warns []string
	if w := damageWarning(r, sec); w != "" {
		warns = append(warns, w)
	}
	if nf := audio.NonFinite(r); nf > 0 {
		warns = append(warns, fmt.Sprintf("%d NaN/Inf samples treated as silence", nf))
	}
	if clipped > 0 && of.Encoding != audio.Float32 { // float output keeps samples beyond ±1
		total := frames * int64(f.Channels)
		warns = append(warns, fmt.Sprintf("%d of %d samples (%.2f %%) clipped at full scale in the %d-bit output; use --bits 32f (WAV) to keep them, or lower the input level",
			clipped, total, 100*float64(clipped)/float64(max(total, 1)), of.Bits))
	}
	return sec, strings.Join(warns, "; "), nil
}

// writeError turns a failure to write out into one plain line: "cannot write
// out: no space left on device" rather than an encoder's decorated message.
func writeError(out string, err error) error {
	var pe *os.PathError
	var le *os.LinkError
	if errors.As(err, &pe) || errors.As(err, &le) {
		return fmt.Errorf("cannot write %s: %v", out, plainErr(err))
	}
	return err
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
				return frames, fmt.Errorf("writing output: %w", err)
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
			if ctx.Err() != nil {
				return frames, ctx.Err()
			}
			return frames, rerr
		}
	}
	if frames == 0 {
		return 0, fmt.Errorf("no audio samples")
	}
	if err := w.Write(st.Flush(out[:0])); err != nil {
		return frames, fmt.Errorf("writing output: %w", err)
	}
	if err := w.Close(); err != nil {
		return frames, fmt.Errorf("writing output: %w", err)
	}
	return frames, nil
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
