//go:build !nolive

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio/live"
	"github.com/ghostrnn/ghostrnn/cli/liveproc"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

func latencyCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "latency",
		Usage: "measure the latency: algorithmic (impulse), compute per frame, and the devices' round trip",
		Description: `(a) Algorithmic: an impulse through the enhancer, at the model rate and at
    --rate; the delay must be the STFT's window − hop plus the model's look-ahead
    frames × hop (160 samples = 10 ms at 16 kHz without look-ahead). Also the
    live pipeline's FIFO at --frames-per-buffer.
(b) Compute: processing time per 10 ms frame (p50/p90/p99/max) and the real-time
    factor over --seconds of generated noisy speech, for the model, --rate,
    --in-channels and --channels mode.
(c) Round trip: plays MLS probes on --output while capturing --input and finds
    the delay by cross-correlation, next to PortAudio's reported latencies. It
    needs the output routed back to the input (a cable, or a sound server
    loopback); without one it says no loopback path was found. --no-device skips it.
    By default the input and the output run as two streams aligned by their
    callbacks' clock, which gives the devices' own round trip; --duplex measures
    inside one full-duplex stream as live runs, frame-exact, but through
    PortAudio's ALSA→PulseAudio path that figure changes from run to run by
    whole buffers (the two directions start at different moments).`,
		Flags: append(append(deviceFlags(),
			&ucli.BoolFlag{Name: "json", Usage: "print JSON"},
			&ucli.Float64Flag{Name: "seconds", Value: 10, Usage: "audio seconds timed for the compute figures"},
			&ucli.BoolFlag{Name: "no-device", Usage: "skip the device round trip (no audio device needed)"},
			&ucli.IntFlag{Name: "repeat", Value: 3, Usage: "round-trip probes"},
			&ucli.Float64Flag{Name: "level-db", Value: -20, Usage: "probe level in dBFS"},
			&ucli.DurationFlag{Name: "max-delay", Value: 500 * time.Millisecond, Usage: "longest round trip searched"},
			&ucli.Float64Flag{Name: "threshold", Value: 0.3, Usage: "normalised correlation a probe must reach to count as a loopback"},
			&ucli.BoolFlag{Name: "duplex", Usage: "measure inside one full-duplex stream as live runs, instead of separate input and output streams aligned by their clock"},
		), engineFlags...),
		Action: runLatency,
	}
}

// algoJSON is part (a) of the latency report.
type algoJSON struct {
	ModelRate       int     `json:"model_rate"`
	Window          int     `json:"window"`
	Hop             int     `json:"hop"`
	Lookahead       int     `json:"lookahead_frames"`
	ExpectedSamples int     `json:"expected_samples"`
	ExpectedMs      float64 `json:"expected_ms"`
	EngineSamples   int     `json:"engine_samples"`
	EngineMs        float64 `json:"engine_ms"`
	Rate            int     `json:"rate"`
	StreamFrames    int     `json:"stream_frames"`
	StreamMs        float64 `json:"stream_ms"`
	StreamExpected  float64 `json:"stream_expected_frames"`
	StreamPath      string  `json:"stream_path"` // native (STFT at the rate) or resampled
	FramesPerBuffer int     `json:"frames_per_buffer"`
	FIFOFrames      int     `json:"fifo_frames"`
	PipelineFrames  int     `json:"pipeline_frames"`
	PipelineMs      float64 `json:"pipeline_ms"`
	OK              bool    `json:"ok"`
}

// computeJSON is part (b).
type computeJSON struct {
	Rate     int     `json:"rate"`
	Channels int     `json:"channels"`
	Mode     string  `json:"mode"`
	Seconds  float64 `json:"seconds"`
	Frames   int     `json:"frames"`
	HopMs    float64 `json:"frame_ms"`
	P50us    float64 `json:"p50_us"`
	P90us    float64 `json:"p90_us"`
	P99us    float64 `json:"p99_us"`
	MaxUs    float64 `json:"max_us"`
	MeanUs   float64 `json:"mean_us"`
	RTF      float64 `json:"rtf"`
}

// roundTripJSON is part (c).
type roundTripJSON struct {
	Input           string  `json:"input"`
	Output          string  `json:"output"`
	Rate            int     `json:"rate"`
	FramesPerBuffer int     `json:"frames_per_buffer"`
	Latency         string  `json:"latency"`
	ReportedInMs    float64 `json:"reported_input_ms"`
	ReportedOutMs   float64 `json:"reported_output_ms"`
	ReportedMs      float64 `json:"reported_total_ms"`
	Threshold       float64 `json:"threshold"`
	*live.RoundTrip
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
}

// LatencyReport is the whole latency report (its --json form).
type LatencyReport struct {
	Model       string         `json:"model"`
	Algorithmic algoJSON       `json:"algorithmic"`
	Compute     computeJSON    `json:"compute"`
	RoundTrip   *roundTripJSON `json:"round_trip,omitempty"`
}

// LatencyConfig is one `ghostrnn latency` run. The command's flags fill it
// (latencyConfig); tests call Latency with it directly.
type LatencyConfig struct {
	Devices   DeviceSpec
	NoDevice  bool          // skip the device round trip
	Seconds   float64       // audio seconds timed for the compute figures, 0 < Seconds ≤ 3600
	JSON      bool          // print JSON instead of text
	Repeat    int           // round-trip probes
	LevelDB   float64       // probe level in dBFS
	MaxDelay  time.Duration // longest round trip searched
	Threshold float64       // normalised correlation a probe must reach
	Duplex    bool          // measure inside one full-duplex stream

	ModelName string // as reported ("" for the embedded default)
	Model     *enhancer.Model
	Options   enhancer.Options
	Mode      enhancer.ChannelMode

	Stdout io.Writer // the report; nil means os.Stdout
}

func runLatency(c *ucli.Context) error {
	cfg, err := latencyConfig(c)
	if err != nil {
		return err
	}
	_, err = Latency(cfg)
	return err
}

// latencyConfig reads the latency command's flags.
func latencyConfig(c *ucli.Context) (LatencyConfig, error) {
	cfg := LatencyConfig{
		Devices: deviceSpec(c), NoDevice: c.Bool("no-device"), Seconds: c.Float64("seconds"), JSON: c.Bool("json"),
		Repeat: c.Int("repeat"), LevelDB: c.Float64("level-db"), MaxDelay: c.Duration("max-delay"),
		Threshold: c.Float64("threshold"), Duplex: c.Bool("duplex"), ModelName: c.String("model"),
		Stdout: c.App.Writer,
	}
	if c.NArg() > 0 {
		return cfg, exitf(2, "latency takes no arguments (see ghostrnn latency --help)")
	}
	var err error
	if cfg.Model, cfg.Options, cfg.Mode, err = engineSetup(c); err != nil {
		return cfg, exitf(2, "%v", err)
	}
	return cfg, nil
}

// Latency measures (a) the algorithmic latency, (b) the compute time per
// frame and, unless cfg.NoDevice, (c) the devices' round trip, and prints
// the report. The error (exit status 1) says what did not hold: an impulse
// that came out at another delay than the model's, or a round trip that
// could not be measured; settings that cannot work give exit status 2.
func Latency(cfg LatencyConfig) (LatencyReport, error) {
	rep := LatencyReport{Model: cfg.ModelName}
	if rep.Model == "" {
		rep.Model = models.DefaultName
	}
	if cfg.Seconds <= 0 || cfg.Seconds > 3600 {
		return rep, exitf(2, "--seconds %v: want 0 < seconds ≤ 3600", cfg.Seconds)
	}
	// Devices first, so that the rate and buffer defaults follow them.
	var sc live.StreamConfig
	var devErr error
	if !cfg.NoDevice {
		defer live.Terminate()
		sc, devErr = resolveStream(cfg.Devices, true)
	}
	rate, fpb, ch := cfg.Devices.Rate, cfg.Devices.FramesPerBuffer, cfg.Devices.InChannels
	if !cfg.NoDevice && devErr == nil {
		rate, fpb = sc.Rate, sc.FramesPerBuffer
	}
	if rate == 0 {
		rate = 48000
	}
	if rate < 1000 || rate > 768000 {
		return rep, exitf(2, "--rate %d Hz is out of range", rate)
	}
	if fpb < 0 {
		fpb = max(rate/100, 1)
	}
	if ch < 1 {
		return rep, exitf(2, "--in-channels %d must be ≥ 1", ch)
	}
	newProc := func(r int) (*liveproc.Processor, error) {
		s, err := enhancer.NewStream(cfg.Model, cfg.Options, enhancer.StreamConfig{Rate: r, Channels: ch, Mode: cfg.Mode}, newResampler)
		if err != nil {
			return nil, err
		}
		return liveproc.New(s, nil), nil
	}
	var err error
	if rep.Algorithmic, err = measureAlgorithmic(cfg.Model, newProc, rate, fpb, ch); err != nil {
		return rep, exitf(1, "%v", err)
	}
	if rep.Compute, err = measureComputeJSON(newProc, rate, ch, cfg.Mode, cfg.Seconds); err != nil {
		return rep, exitf(1, "%v", err)
	}
	var rtErr error
	if !cfg.NoDevice {
		rep.RoundTrip, rtErr = measureRoundTripJSON(cfg, sc, devErr)
	}

	out := cfg.Stdout
	if out == nil {
		out = os.Stdout
	}
	if cfg.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return rep, err
		}
	} else {
		printLatency(out, rep)
	}
	switch a := rep.Algorithmic; {
	case !a.OK:
		return rep, exitf(1, "latency: the impulse came out after %d samples, not the expected %d", a.EngineSamples, a.ExpectedSamples)
	case rtErr != nil:
		if errors.Is(rtErr, live.ErrNoDevice) {
			return rep, exitf(1, "latency: %v (use --no-device to skip the round trip)", rtErr)
		}
		return rep, exitf(1, "latency: %v", rtErr)
	}
	return rep, nil
}

// measureAlgorithmic is part (a): an impulse through the engine at the
// model's rate and through the stream at rate, and the live pipeline's FIFO
// at fpb frames per buffer.
func measureAlgorithmic(m *enhancer.Model, newProc func(rate int) (*liveproc.Processor, error), rate, fpb, ch int) (algoJSON, error) {
	cfg := m.Config()
	a := algoJSON{ModelRate: cfg.SampleRate, Window: cfg.Window, Hop: cfg.Hop, Lookahead: m.Arch.Lookahead,
		ExpectedSamples: m.Latency(), Rate: rate, FramesPerBuffer: fpb}
	a.ExpectedMs = frameMs(a.ExpectedSamples, cfg.SampleRate)
	eng, err := newProc(cfg.SampleRate)
	if err != nil {
		return a, err
	}
	er := live.ImpulseDelay(eng, ch, cfg.SampleRate)
	a.EngineSamples, a.EngineMs = er.DelayFrames, frameMs(er.DelayFrames, cfg.SampleRate)
	st, err := newProc(rate)
	if err != nil {
		return a, err
	}
	sr := live.ImpulseDelay(st, ch, rate)
	a.StreamFrames, a.StreamMs, a.StreamExpected = sr.DelayFrames, frameMs(sr.DelayFrames, rate), sr.Expected
	a.StreamPath = "resampled"
	if enhancer.Native(m, rate) {
		a.StreamPath = "native"
	}
	a.OK = er.DelayFrames == a.ExpectedSamples && er.OK() && sr.OK()
	pipe, err := live.NewPipeline(live.PipelineConfig{Rate: rate, InChannels: ch, FramesPerBuffer: fpb,
		NewProcessor: func() (live.Processor, error) { return newProc(rate) }})
	if err != nil {
		return a, err
	}
	a.FIFOFrames, a.PipelineFrames = pipe.FIFOLatency(), pipe.Latency()
	a.PipelineMs = frameMs(a.PipelineFrames, rate)
	return a, nil
}

// measureComputeJSON is part (b): the processing time per 10 ms block over
// secs of generated noisy speech.
func measureComputeJSON(newProc func(rate int) (*liveproc.Processor, error), rate, ch int, mode enhancer.ChannelMode, secs float64) (computeJSON, error) {
	sig := live.NoisySpeech(int(secs*float64(rate)), rate, ch)
	p, err := newProc(rate)
	if err != nil {
		return computeJSON{}, err
	}
	hop := max(rate/100, 1)
	cr := live.MeasureCompute(p, sig, ch, rate, hop)
	return computeJSON{Rate: rate, Channels: ch, Mode: channelModeName(mode), Seconds: secs, Frames: cr.Blocks,
		HopMs: frameMs(hop, rate), P50us: usec(cr.P50), P90us: usec(cr.P90), P99us: usec(cr.P99), MaxUs: usec(cr.Max),
		MeanUs: usec(cr.Mean), RTF: math.Round(cr.RTF*1e5) / 1e5}, nil
}

// measureRoundTripJSON is part (c): the devices' round trip on sc, or why it
// could not be measured (devErr: the devices could not be resolved).
func measureRoundTripJSON(cfg LatencyConfig, sc live.StreamConfig, devErr error) (*roundTripJSON, error) {
	rt := &roundTripJSON{Rate: sc.Rate, FramesPerBuffer: sc.FramesPerBuffer, Latency: sc.Latency, Threshold: cfg.Threshold}
	rtErr := devErr
	if devErr == nil {
		rt.Input, rt.Output = sc.Input.Name, sc.Output.Name
		if sc.OutChannels == 0 {
			sc.OutChannels = 1
		}
		var res live.RoundTrip
		res, rtErr = live.MeasureRoundTrip(live.RoundTripConfig{Stream: sc, LevelDB: cfg.LevelDB,
			Repeat: cfg.Repeat, MaxDelay: cfg.MaxDelay, Threshold: cfg.Threshold, Duplex: cfg.Duplex})
		rt.RoundTrip = &res
		rt.ReportedInMs, rt.ReportedOutMs = ms(res.ReportedIn), ms(res.ReportedOut)
		rt.ReportedMs = math.Round((rt.ReportedInMs+rt.ReportedOutMs)*1000) / 1000
	}
	if rtErr != nil {
		rt.Error = rtErr.Error()
	}
	rt.Message = roundTripMessage(rt)
	return rt, rtErr
}

// roundTripMessage says what the round trip came to: the delay, why it was
// not measured, or that no loop (or no steady one) was found.
func roundTripMessage(rt *roundTripJSON) string {
	switch {
	case rt.Error != "":
		return "round trip not measured: " + rt.Error
	case rt.RoundTrip.Found:
		return fmt.Sprintf("round trip %.2f ms (%.1f frames), confidence %.2f", rt.DelayMs, rt.DelayFrames, rt.Confidence)
	case rt.Confidence >= rt.Threshold: // some probes came back, most did not
		found := 0
		for _, p := range rt.Probes {
			if p.Found {
				found++
			}
		}
		return fmt.Sprintf("no steady loopback path found: only %d of %d probes reached the correlation %.2f (best %.2f); xruns or a path that drops audio?",
			found, len(rt.Probes), rt.Threshold, rt.Confidence)
	}
	return fmt.Sprintf("no loopback path found: best correlation %.2f < %.2f; route the output back to the input (cable or sound-server loopback) to measure the round trip",
		rt.Confidence, rt.Threshold)
}

// printLatency writes the text report.
func printLatency(w io.Writer, r LatencyReport) {
	a, cp := r.Algorithmic, r.Compute
	ok := func(b bool) string {
		if b {
			return "ok"
		}
		return "MISMATCH"
	}
	fmt.Fprintf(w, "algorithmic latency (impulse through the enhancer, model %s)\n", r.Model)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  expected\twindow %d − hop %d + look-ahead %d × hop at %d Hz\t%d samples\t%.2f ms\n", a.Window, a.Hop, a.Lookahead, a.ModelRate, a.ExpectedSamples, a.ExpectedMs)
	fmt.Fprintf(tw, "  engine\tat %d Hz\t%d samples\t%.2f ms\t%s\n", a.ModelRate, a.EngineSamples, a.EngineMs, ok(a.EngineSamples == a.ExpectedSamples))
	fmt.Fprintf(tw, "  stream\tat %d Hz (%s)\t%d frames\t%.2f ms\t%s\n", a.Rate, a.StreamPath, a.StreamFrames, a.StreamMs, ok(math.Abs(float64(a.StreamFrames)-a.StreamExpected) <= 0.5))
	fmt.Fprintf(tw, "  live pipeline\t%s/buffer: + FIFO %d frames\t%d frames\t%.2f ms\n", bufferText(a.FramesPerBuffer), a.FIFOFrames, a.PipelineFrames, a.PipelineMs)
	tw.Flush()
	fmt.Fprintf(w, "compute (%d Hz, %d ch, %s, %.0f s of generated noisy speech)\n", cp.Rate, cp.Channels, cp.Mode, cp.Seconds)
	fmt.Fprintf(w, "  per %.0f ms frame: p50 %.0f µs  p90 %.0f µs  p99 %.0f µs  max %.0f µs  (p99 = %.1f%% of the frame)\n",
		cp.HopMs, cp.P50us, cp.P90us, cp.P99us, cp.MaxUs, cp.P99us/10/cp.HopMs)
	fmt.Fprintf(w, "  real-time factor %.4f over %d frames\n", cp.RTF, cp.Frames)
	if rt := r.RoundTrip; rt != nil {
		if rt.Input == "" {
			fmt.Fprintf(w, "device round trip\n  %s\n", rt.Message)
			return
		}
		fmt.Fprintf(w, "device round trip (%q → %q, %d Hz, %s/buffer, latency %s)\n", rt.Output, rt.Input, rt.Rate, bufferText(rt.FramesPerBuffer), rt.Latency)
		if rt.RoundTrip != nil && rt.Error == "" {
			fmt.Fprintf(w, "  PortAudio reports: input %.1f ms + output %.1f ms = %.1f ms\n", rt.ReportedInMs, rt.ReportedOutMs, rt.ReportedMs)
			if rt.Found {
				var ds []string
				for _, p := range rt.Probes {
					ds = append(ds, fmt.Sprintf("%.2f", p.DelayMs))
				}
				how := "separate input and output streams"
				if rt.Mode == "duplex" {
					how = "one full-duplex stream"
				}
				fmt.Fprintf(w, "  measured (%s): %.2f ms = %.1f frames, confidence %.2f\n    probes %s ms; spread %.2f ms; %d xruns\n",
					how, rt.DelayMs, rt.DelayFrames, rt.Confidence, strings.Join(ds, ", "), rt.SpreadMs, rt.Xruns)
			} else {
				fmt.Fprintf(w, "  measured: %s\n", rt.Message)
			}
		} else {
			fmt.Fprintf(w, "  %s\n", rt.Message)
		}
	}
}

// usec converts a duration to microseconds, to 0.01 µs.
func usec(d time.Duration) float64 { return math.Round(float64(d)/10) / 100 }
