//go:build !nolive

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/ghostrnn/ghostrnn/audio/live"
	"github.com/ghostrnn/ghostrnn/cli/liveproc"
	"github.com/ghostrnn/ghostrnn/enhancer"
)

// deviceFlags are the device and stream flags shared by live and latency.
func deviceFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "input", Aliases: []string{"i"}, DefaultText: "the default input", Usage: "capture device: index or part of its name (see ghostrnn devices)"},
		&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, DefaultText: "the default output", Usage: "playback device: index, part of its name, or none"},
		&ucli.IntFlag{Name: "rate", DefaultText: "the input device's rate", Usage: "device sample rate in Hz; run natively at 24/32/44.1/48/96 kHz (see ghostrnn info), else resampled to the model's rate and back"},
		&ucli.IntFlag{Name: "frames-per-buffer", Value: -1, DefaultText: "10 ms", Usage: "frames per device callback (0 lets PortAudio choose)"},
		&ucli.StringFlag{Name: "latency", Value: "low", Usage: "device latency: low, high (the devices' defaults) or seconds"},
		&ucli.IntFlag{Name: "in-channels", Value: 1, Usage: "channels to capture"},
		&ucli.IntFlag{Name: "out-channels", DefaultText: "2, or the device's maximum if lower", Usage: "channels to play"},
	}
}

func liveCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "live",
		Usage: "denoise a microphone live: capture → enhancer → playback and/or file",
		Description: `Captures from --input, enhances each 10 ms and plays the result on --output
and/or records it (--record, 32-bit float WAV). The output lags the input by a
fixed delay: the enhancer's (20 ms with the default model), a FIFO that covers
the resamplers and the mismatch between buffer and hop sizes (both reported at
start), and the devices' buffers. When processing falls behind real time,
10 ms blocks go out unprocessed at the same delay and are counted as overloads:
the delay never grows.

On a terminal a status line shows levels, speech presence, suppression,
processing load and xrun/overload counts; b toggles bypass, q stops. Ctrl-C,
SIGTERM or --duration end the run with a summary. To use the output as a
microphone in other programs, see docs/virtual-mic.md.`,
		Flags: append(append(deviceFlags(),
			&ucli.StringFlag{Name: "record", Usage: "write the enhanced audio to this WAV file"},
			&ucli.StringFlag{Name: "record-raw", Usage: "write the captured audio to this WAV file"},
			&ucli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "overwrite existing recordings"},
			&ucli.BoolFlag{Name: "bypass", Usage: "start bypassed (attenuation limit 0 dB); b toggles it on a terminal"},
			&ucli.DurationFlag{Name: "duration", DefaultText: "until Ctrl-C", Usage: "stop after this much audio, e.g. 10s"},
			&ucli.BoolFlag{Name: "stats-json", Usage: "print a JSON stats line every second and a JSON summary on stdout"},
			&ucli.Float64Flag{Name: "max-load", Value: 0.8, Usage: "share of each buffer's time the enhancer may use before blocks are bypassed (inf: never bypass)"},
			&ucli.DurationFlag{Name: "debug-slow", Hidden: true, Usage: "add this delay to every block (to test overloads)"},
		), engineFlags...),
		Action: runLive,
	}
}

// DeviceSpec names the devices and the stream settings of live and latency
// as their flags give them; resolveStream picks the devices.
type DeviceSpec struct {
	Input  string // capture device: index or part of its name; "" for the default
	Output string // playback device: index, part of its name, "none", or "" for the default
	// Rate is the device rate in Hz (0: the input device's default).
	Rate int
	// FramesPerBuffer is the frames per callback (< 0: 10 ms; 0: PortAudio chooses).
	FramesPerBuffer int
	Latency         string // low, high, or seconds
	InChannels      int    // channels to capture, ≥ 1
	OutChannels     int    // channels to play (0: 2, or the device's maximum if lower)
}

// deviceSpec reads the flags of deviceFlags.
func deviceSpec(c *ucli.Context) DeviceSpec {
	return DeviceSpec{
		Input: c.String("input"), Output: c.String("output"), Rate: c.Int("rate"),
		FramesPerBuffer: c.Int("frames-per-buffer"), Latency: c.String("latency"),
		InChannels: c.Int("in-channels"), OutChannels: c.Int("out-channels"),
	}
}

// resolveStream picks the devices of d and fills in the stream defaults.
func resolveStream(d DeviceSpec, needOutput bool) (live.StreamConfig, error) {
	var sc live.StreamConfig
	devs, err := live.Devices()
	if err != nil {
		return sc, err
	}
	if len(devs) == 0 {
		return sc, fmt.Errorf("%w: no audio devices found (no sound card or sound server; see ghostrnn devices)", live.ErrNoDevice)
	}
	if sc.Input, err = live.FindDevice(devs, d.Input, true); err != nil {
		return sc, err
	}
	if !strings.EqualFold(d.Output, "none") {
		if sc.Output, err = live.FindDevice(devs, d.Output, false); err != nil {
			return sc, err
		}
	} else if needOutput {
		return sc, errors.New("--output none: this command needs an output device")
	}
	sc.Rate = d.Rate
	if sc.Rate == 0 {
		sc.Rate = int(math.Round(sc.Input.DefaultSampleRate))
	}
	if sc.Rate < 1000 || sc.Rate > 768000 {
		return sc, fmt.Errorf("--rate %d Hz is out of range", sc.Rate)
	}
	sc.FramesPerBuffer = d.FramesPerBuffer
	if sc.FramesPerBuffer < 0 {
		sc.FramesPerBuffer = max(sc.Rate/100, 1)
	}
	sc.Latency = d.Latency
	if _, _, _, err := live.ParseLatency(sc.Latency); err != nil {
		return sc, err
	}
	sc.InChannels = d.InChannels
	if sc.InChannels < 1 {
		return sc, fmt.Errorf("--in-channels %d must be ≥ 1", sc.InChannels)
	}
	if sc.Output != nil {
		sc.OutChannels = d.OutChannels
		if sc.OutChannels == 0 {
			sc.OutChannels = max(1, min(2, sc.Output.MaxOutputChannels))
		}
	}
	return sc, nil
}

// slowProcessor delays every block, to provoke overloads (--debug-slow).
type slowProcessor struct {
	live.StatsProcessor
	d time.Duration
}

// Process sleeps, then processes.
func (p slowProcessor) Process(dst, src []float32) []float32 {
	time.Sleep(p.d)
	return p.StatsProcessor.Process(dst, src)
}

// LiveConfig is one `ghostrnn live` run. The command's flags fill it
// (liveConfig); tests call Live with it directly.
type LiveConfig struct {
	Devices   DeviceSpec
	Record    string        // WAV file for the enhanced audio ("" for none)
	RecordRaw string        // WAV file for the captured audio ("" for none)
	Force     bool          // overwrite existing recordings
	Bypass    bool          // start bypassed
	Duration  time.Duration // stop after this much audio (0: until interrupted)
	StatsJSON bool          // JSON stats lines and summary on Stdout
	MaxLoad   float64       // see live.PipelineConfig.MaxLoad
	DebugSlow time.Duration // added to every block, to provoke overloads

	Model   *enhancer.Model
	Options enhancer.Options
	Mode    enhancer.ChannelMode

	Stdin  *os.File  // keys (b, q) when it and Stderr are terminals; nil means os.Stdin
	Stdout io.Writer // --stats-json; nil means os.Stdout
	Stderr io.Writer // start lines, status and summary; nil means os.Stderr
}

func runLive(c *ucli.Context) error {
	cfg, err := liveConfig(c)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Live(ctx, cfg)
}

// liveConfig reads the live command's flags.
func liveConfig(c *ucli.Context) (LiveConfig, error) {
	cfg := LiveConfig{
		Devices: deviceSpec(c), Record: c.String("record"), RecordRaw: c.String("record-raw"),
		Force: c.Bool("force"), Bypass: c.Bool("bypass"), Duration: c.Duration("duration"),
		StatsJSON: c.Bool("stats-json"), MaxLoad: c.Float64("max-load"), DebugSlow: c.Duration("debug-slow"),
		Stdout: c.App.Writer, Stderr: c.App.ErrWriter,
	}
	if c.NArg() > 0 {
		return cfg, exitf(2, "live takes no arguments (see ghostrnn live --help)")
	}
	var err error
	if cfg.Model, cfg.Options, cfg.Mode, err = engineSetup(c); err != nil {
		return cfg, exitf(2, "%v", err)
	}
	return cfg, nil
}

// Live runs the microphone through the enhancer until cfg.Duration of audio
// went through, ctx is done, or q is pressed on a terminal, then prints the
// summary. Device and recording failures are errors with exit status 1,
// settings that cannot work 2.
func Live(ctx context.Context, cfg LiveConfig) error {
	stdin, stdout, stderr := cfg.Stdin, cfg.Stdout, cfg.Stderr
	if stdin == nil {
		stdin = os.Stdin
	}
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	rec, raw := cfg.Record, cfg.RecordRaw
	if err := checkRecordings(rec, raw, cfg.Force); err != nil {
		return err
	}
	defer live.Terminate()
	sc, err := resolveStream(cfg.Devices, false)
	if err != nil {
		return exitf(1, "live: %v", err)
	}
	ctl := liveproc.NewControls(cfg.Options, cfg.Bypass)
	newProc := func() (live.Processor, error) {
		st, err := enhancer.NewStream(cfg.Model, ctl.Options(), enhancer.StreamConfig{Rate: sc.Rate, Channels: sc.InChannels, Mode: cfg.Mode}, newResampler)
		if err != nil {
			return nil, err
		}
		var p live.StatsProcessor = liveproc.New(st, ctl)
		if cfg.DebugSlow > 0 {
			p = slowProcessor{p, cfg.DebugSlow}
		}
		return p, nil
	}
	sess, err := live.OpenSession(live.SessionConfig{
		Stream: sc, NewProcessor: newProc, MaxLoad: cfg.MaxLoad,
		Duration: cfg.Duration, Record: rec, RecordRaw: raw,
	})
	if err != nil {
		return exitf(1, "live: %v", err)
	}
	p := sess.Pipeline()
	printLiveStart(stderr, sess, cfg.Mode, rec, raw)

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	tty := isTerminal(stderr)
	st := newStatusPrinter(p, ctl, sc.Rate)
	if tty {
		fmt.Fprintln(stderr, "live: running; b toggles bypass, q or Ctrl-C stops")
	}
	var keys *keyboard
	if tty && isTerminal(stdin) {
		keys = startKeyboard(stdin, stop, func() { ctl.ToggleBypass() })
	}
	if err := sess.Start(); err != nil {
		keys.restore()
		sess.Close()
		return exitf(1, "live: %v", err)
	}
	period := time.Second
	if tty {
		period = 250 * time.Millisecond
	}
	waitErr := sess.Wait(ctx, period, func() {
		switch {
		case tty:
			fmt.Fprintf(stderr, "\r%s\x1b[K", st.line())
		case cfg.StatsJSON:
			json.NewEncoder(stdout).Encode(st.json())
		}
	})
	keys.restore()
	if tty {
		fmt.Fprint(stderr, "\r\x1b[K")
	}
	sum, closeErr := sess.Close()
	printLiveSummary(stderr, sum, sess)
	if cfg.StatsJSON {
		json.NewEncoder(stdout).Encode(map[string]any{"summary": sum})
	}
	switch {
	case waitErr != nil:
		msg := waitErr.Error()
		if rec != "" || raw != "" {
			msg += "; the recordings so far are complete files"
		}
		return exitf(1, "live: %s", msg)
	case closeErr != nil:
		return exitf(1, "live: %v", closeErr)
	}
	return nil
}

// checkRecordings refuses recordings that exist (unless force) or that name
// the same file, with exit status 2.
func checkRecordings(rec, raw string, force bool) error {
	for _, p := range []string{rec, raw} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil && !force {
			return exitf(2, "%s exists (use --force to overwrite)", p)
		}
	}
	if rec != "" && rec == raw {
		return exitf(2, "--record and --record-raw name the same file")
	}
	return nil
}

// printLiveStart writes the start lines: the chain, its delay and the recordings.
func printLiveStart(w io.Writer, sess *live.Session, mode enhancer.ChannelMode, rec, raw string) {
	sc, p := sess.Config().Stream, sess.Pipeline()
	inLat, outLat := sess.Stream().Latencies()
	fmt.Fprintf(w, "live: %s (%d ch) → enhancer (channels: %s) → %s at %d Hz, %s/buffer\n",
		quote(sc.Input), sc.InChannels, channelModeName(mode), outputName(sc), sc.Rate, bufferText(sc.FramesPerBuffer))
	devLat := fmt.Sprintf("input %.1f ms, output %.1f ms", ms(inLat), ms(outLat))
	if sc.Output == nil {
		devLat = fmt.Sprintf("input %.1f ms", ms(inLat))
	}
	fmt.Fprintf(w, "live: delay %.1f ms = enhancer %.1f ms + FIFO %.1f ms (%d frames in all); devices report %s\n",
		frameMs(p.Latency(), sc.Rate), frameMs(p.ProcessorLatency(), sc.Rate), frameMs(p.FIFOLatency(), sc.Rate), p.Latency(), devLat)
	if rec != "" || raw != "" {
		fmt.Fprintf(w, "live: recording%s%s\n", ifText(rec != "", " enhanced to "+rec), ifText(raw != "", " raw to "+raw))
	}
}

// printLiveSummary writes the end-of-run report.
func printLiveSummary(w io.Writer, s live.Summary, sess *live.Session) {
	fmt.Fprintf(w, "live: %.2f s of audio in %.2f s: %d callbacks, %d xruns (%d input overflows, %d output underflows), %d overloads (%d frames bypassed)\n",
		s.Seconds, s.WallSeconds, s.Callbacks, s.Xruns, s.InputOverflows, s.OutputUnderruns, s.Overloads, s.DryFrames)
	fmt.Fprintf(w, "live: processing per %.0f ms frame: p50 %s, p99 %s, max %s (p99 load %.1f%% of the frame)\n",
		s.HopMs, fmtDur(s.P50), fmtDur(s.P99), fmtDur(s.Max), 100*s.P99.Seconds()*1000/s.HopMs)
	if r, raw := sess.Recorders(); r != nil || raw != nil {
		for _, x := range []*live.Recorder{r, raw} {
			if x != nil {
				fmt.Fprintf(w, "live: wrote %d frames (%.2f s) to %s\n", x.Frames(), float64(x.Frames())/float64(s.Rate), x.Path())
			}
		}
		if s.RecordDropped > 0 {
			fmt.Fprintf(w, "live: warning: %d samples could not be recorded (disk too slow)\n", s.RecordDropped)
		}
	}
}

// statusPrinter formats the periodic status from the pipeline and the controls.
type statusPrinter struct {
	p    *live.Pipeline
	ctl  *liveproc.Controls
	rate int
	prev live.HistSnapshot
}

func newStatusPrinter(p *live.Pipeline, ctl *liveproc.Controls, rate int) *statusPrinter {
	return &statusPrinter{p: p, ctl: ctl, rate: rate, prev: p.ProcessingTimes()}
}

// statusJSON is one --stats-json line.
type statusJSON struct {
	Seconds       float64 `json:"t"`
	InPeakDB      float64 `json:"in_peak_dbfs"`
	OutPeakDB     float64 `json:"out_peak_dbfs"`
	Speech        float64 `json:"speech_presence"`
	SuppressionDB float64 `json:"suppression_db"`
	LoadP50       float64 `json:"load_p50_pct"`
	LoadP99       float64 `json:"load_p99_pct"`
	Xruns         int64   `json:"xruns"`
	Overloads     int64   `json:"overloads"`
	Bypassed      bool    `json:"bypass"`
}

func (s *statusPrinter) sample() statusJSON {
	l := s.p.TakeLevels()
	c := s.p.Counters()
	h := s.p.ProcessingTimes()
	d := h.Sub(&s.prev)
	s.prev = h
	hop := float64(s.p.Hop()) / float64(s.rate)
	return statusJSON{
		Seconds:  round3(float64(c.Frames) / float64(s.rate)),
		InPeakDB: round3(dbfs(l.InPeak)), OutPeakDB: round3(dbfs(l.OutPeak)),
		Speech: round3(float64(l.SpeechPresence)), SuppressionDB: round3(float64(l.SuppressionDB)),
		LoadP50: round3(100 * d.Quantile(0.5).Seconds() / hop), LoadP99: round3(100 * d.Quantile(0.99).Seconds() / hop),
		Xruns: c.Xruns(), Overloads: c.Overloads,
		Bypassed: s.ctl.Bypassed(),
	}
}

func (s *statusPrinter) json() statusJSON { return s.sample() }

// line is the one-line terminal status.
func (s *statusPrinter) line() string {
	j := s.sample()
	mode := ""
	if j.Bypassed {
		mode = " BYPASS"
	}
	return fmt.Sprintf("%7.1fs in %s %6.1f dB  out %s %6.1f dB  speech %3.0f%%  supp %5.1f dB  load %4.1f%% (p99 %4.1f%%)  xruns %d  overloads %d%s",
		j.Seconds, meter(j.InPeakDB), j.InPeakDB, meter(j.OutPeakDB), j.OutPeakDB, 100*j.Speech, j.SuppressionDB, j.LoadP50, j.LoadP99, j.Xruns, j.Overloads, mode)
}

// meter draws a level from -60 to 0 dBFS as 8 cells.
func meter(db float64) string {
	n := int(math.Round((db + 60) / 60 * 8))
	n = max(0, min(8, n))
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", 8-n) + "]"
}

// dbfs converts a peak to dBFS, floored at -120.
func dbfs(peak float32) float64 {
	if peak <= 1e-6 {
		return -120
	}
	return 20 * math.Log10(float64(peak))
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// keyboard reads single keys from a terminal in raw mode.
type keyboard struct {
	once  sync.Once
	fd    int
	state *term.State
}

// startKeyboard puts in (a terminal) in raw mode and handles b (toggle) and
// q/Ctrl-C/Ctrl-D (quit).
func startKeyboard(in *os.File, quit func(), toggle func()) *keyboard {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	st, err := term.MakeRaw(fd)
	if err != nil {
		return nil
	}
	k := &keyboard{fd: fd, state: st}
	go func() {
		b := make([]byte, 1)
		for {
			n, err := in.Read(b)
			if err != nil || n == 0 {
				return
			}
			switch b[0] {
			case 'b', 'B':
				toggle()
			case 'q', 'Q', 3, 4:
				quit()
				return
			}
		}
	}()
	return k
}

// restore gives the terminal back its mode; nil-safe and idempotent.
func (k *keyboard) restore() {
	if k == nil {
		return
	}
	k.once.Do(func() { term.Restore(k.fd, k.state) })
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func quote(d *live.Device) string { return fmt.Sprintf("%q", d.Name) }

func outputName(sc live.StreamConfig) string {
	if sc.Output == nil {
		return "no playback"
	}
	return fmt.Sprintf("%s (%d ch)", quote(sc.Output), sc.OutChannels)
}

// channelModeName is the --channels word of m.
func channelModeName(m enhancer.ChannelMode) string {
	switch m {
	case enhancer.MonoMix:
		return "mono"
	case enhancer.LeftOnly:
		return "left"
	case enhancer.RightOnly:
		return "right"
	}
	return "each"
}

func bufferText(n int) string {
	if n == 0 {
		return "variable frames"
	}
	return fmt.Sprintf("%d frames", n)
}

func ifText(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

// fmtDur formats a short duration as 312 µs or 1.25 ms.
func fmtDur(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	}
	return fmt.Sprintf("%.2f ms", float64(d)/1e6)
}
