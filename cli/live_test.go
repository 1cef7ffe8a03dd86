//go:build !nolive

package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/audio/live"
	"github.com/ghostrnn/ghostrnn/audio/resample"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

// liveSummary is the JSON summary line of live --stats-json.
type liveSummary struct {
	Summary struct {
		Frames        int64   `json:"frames"`
		Xruns         int64   `json:"xruns"`
		Overloads     int64   `json:"overloads"`
		Bypassed      int64   `json:"bypassed_frames"`
		Processed     int64   `json:"frames_processed"`
		LatencyFrames int     `json:"latency_frames"`
		RecordFrames  int64   `json:"record_frames"`
		P99us         float64 `json:"proc_p99_us"`
	} `json:"summary"`
}

func parseSummary(t *testing.T, stdout string) liveSummary {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var s liveSummary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &s); err != nil {
		t.Fatalf("summary: %v in %q", err, stdout)
	}
	return s
}

func TestDevicesListsALSAFileDevice(t *testing.T) {
	env, _ := alsaFiles(t, make([]float32, 100))
	r := runAudio(t, env, 30*time.Second, "devices")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"fileout", "filein", "default", "ALSA", "<>"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("devices output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runAudio(t, env, 30*time.Second, "devices", "--json")
	var list struct {
		Devices []struct {
			Index         int     `json:"index"`
			Name          string  `json:"name"`
			HostAPI       string  `json:"host_api"`
			In            int     `json:"max_input_channels"`
			Out           int     `json:"max_output_channels"`
			Rate          float64 `json:"default_sample_rate"`
			DefaultInput  bool    `json:"default_input"`
			DefaultOutput bool    `json:"default_output"`
			LowIn         float64 `json:"default_low_input_latency_ms"`
			HighOut       float64 `json:"default_high_output_latency_ms"`
		} `json:"devices"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	found := false
	for _, d := range list.Devices {
		if d.Name == "default" {
			found = true
			if !d.DefaultInput || !d.DefaultOutput || d.In < 1 || d.Out < 1 || d.Rate <= 0 || d.LowIn <= 0 || d.HighOut < d.LowIn || d.HostAPI != "ALSA" {
				t.Errorf("default device %+v", d)
			}
		}
	}
	if !found {
		t.Errorf("no default device in %s", r.stdout)
	}
}

// TestLiveMatchesStream: live on the ALSA file device records (and plays)
// exactly what the enhancer Stream gives for the same samples, the
// reported delay later, and records the input bit for bit.
func TestLiveMatchesStream(t *testing.T) {
	m, err := models.Open("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name            string
		rate, ch, outCh int
		fpb             int
		mode            string
		bypass          bool
	}{
		{"48k mono", 48000, 1, 1, 480, "each", false},
		{"44.1k stereo", 44100, 2, 2, 256, "each", false},
		{"16k stereo to mono, variable buffers", 16000, 2, 1, 0, "mono", false},
		{"48k bypassed, mono to stereo", 48000, 1, 2, 480, "each", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames := 2 * tc.rate
			in := live.NoisySpeech(frames, tc.rate, tc.ch)
			env, outRaw := alsaFiles(t, in)
			dir := t.TempDir()
			rec, raw := filepath.Join(dir, "out.wav"), filepath.Join(dir, "raw.wav")
			args := []string{"live", "--rate", strconv.Itoa(tc.rate), "--in-channels", strconv.Itoa(tc.ch),
				"--out-channels", strconv.Itoa(tc.outCh), "--frames-per-buffer", strconv.Itoa(tc.fpb), "--channels", tc.mode,
				"--duration", "2s", "--record", rec, "--record-raw", raw, "--stats-json",
				// The file device runs unpaced: never bypass a block, however
				// busy the machine.
				"--max-load", "inf"}
			if tc.bypass {
				args = append(args, "--bypass")
			}
			r := runAudio(t, env, 60*time.Second, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			s := parseSummary(t, r.stdout).Summary
			if s.Frames != int64(frames) || s.RecordFrames != int64(frames) || s.Overloads != 0 || s.Xruns != 0 {
				t.Errorf("summary %+v: want %d frames, no overload, no xrun", s, frames)
			}
			f, got := readAll(t, rec)
			if f.SampleRate != tc.rate || f.Channels != tc.ch || len(got) != frames*tc.ch {
				t.Fatalf("recording %v, %d samples; want %d Hz, %d ch, %d samples", f, len(got), tc.rate, tc.ch, frames*tc.ch)
			}
			if _, x := readAll(t, raw); !equal(x, in) {
				t.Errorf("raw recording differs from the input")
			}
			L := s.LatencyFrames
			ch := tc.ch
			// The same samples through the enhancer Stream (as denoise runs it).
			mode, _ := enhancer.ParseChannelMode(tc.mode)
			opts := enhancer.DefaultOptions
			if tc.bypass {
				opts.AttenLimDB = 0
			}
			st, err := enhancer.NewStream(m, opts, enhancer.StreamConfig{Rate: tc.rate, Channels: ch, Mode: mode},
				func(a, b int) (enhancer.Resampler, error) { return resample.New(a, b, 1) })
			if err != nil {
				t.Fatal(err)
			}
			y := st.Process(nil, in)
			lp := int(math.Round(st.Latency()))
			want := make([]float32, len(got))
			for i := L; i < frames; i++ {
				j := i - L + lp
				if j*ch >= len(y) {
					want = want[:i*ch]
					break
				}
				copy(want[i*ch:(i+1)*ch], y[j*ch:(j+1)*ch])
			}
			if len(want) < len(got)/2 {
				t.Fatalf("only %d of %d samples to compare", len(want), len(got))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("recording sample %d (frame %d) = %v, want %v (delay %d frames)", i, i/ch, got[i], want[i], L)
				}
			}
			// The device received the same frames after the device's own
			// priming (leading silence), mapped to its channels.
			dev := readRaw(t, outRaw)
			mapped := mapOut(got, ch, tc.outCh)
			off := findOffset(dev, mapped, tc.outCh, L)
			if off < 0 {
				t.Fatalf("the recording is not in the device output")
			}
			n := min(len(mapped), len(dev)-off*tc.outCh)
			if !equal(dev[off*tc.outCh:off*tc.outCh+n], mapped[:n]) {
				t.Errorf("device output after %d frames of priming differs from the recording", off)
			}
			for _, v := range dev[:off*tc.outCh] {
				if v != 0 {
					t.Fatalf("device priming is not silent")
				}
			}
			t.Logf("delay %d frames (%.1f ms) + device priming %d frames; p99 %.0f µs per block", L, 1000*float64(L)/float64(tc.rate), off, s.P99us)
		})
	}
}

// mapOut maps frames of sc channels to dc channels as the live pipeline does.
func mapOut(x []float32, sc, dc int) []float32 {
	n := len(x) / sc
	y := make([]float32, n*dc)
	for i := 0; i < n; i++ {
		for c := 0; c < dc; c++ {
			switch {
			case sc == dc:
				y[i*dc+c] = x[i*sc+c]
			case sc == 1:
				y[i*dc+c] = x[i]
			case dc == 1:
				var s float32
				for k := 0; k < sc; k++ {
					s += x[i*sc+k]
				}
				y[i] = s * (1 / float32(sc))
			}
		}
	}
	return y
}

// findOffset finds the frame offset of x inside dev by matching 64 frames
// from frame from on.
func findOffset(dev, x []float32, ch, from int) int {
	w := x[from*ch : (from+64)*ch]
	for off := 0; (off+from+64)*ch <= len(dev) && off < 1<<16; off++ {
		if equal(dev[(off+from)*ch:(off+from+64)*ch], w) {
			return off
		}
	}
	return -1
}

// TestLiveOverload injects a processor slower than real time (--debug-slow):
// blocks are bypassed and counted, the run keeps exactly its length, and the
// bypassed frames go out as the input at the same delay.
func TestLiveOverload(t *testing.T) {
	const rate = 48000
	in := live.NoisySpeech(rate, rate, 1)
	env, _ := alsaFiles(t, in)
	rec := filepath.Join(t.TempDir(), "out.wav")
	r := runAudio(t, env, 60*time.Second, "live", "--rate", "48000", "--out-channels", "1", "--duration", "1s",
		"--record", rec, "--stats-json", "--debug-slow", "15ms")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	s := parseSummary(t, r.stdout).Summary
	if s.Overloads == 0 || s.Bypassed < s.Overloads*480 || s.Frames != rate || s.RecordFrames != rate {
		t.Fatalf("summary %+v: want overloads, bypassed frames, and exactly %d frames", s, rate)
	}
	_, got := readAll(t, rec)
	same := 0
	for i := s.LatencyFrames; i < len(got); i++ {
		if got[i] == in[i-s.LatencyFrames] {
			same++
		}
	}
	if int64(same) < s.Bypassed-int64(s.LatencyFrames) {
		t.Errorf("%d frames equal the delayed input, want ≥ %d bypassed", same, s.Bypassed)
	}
	t.Logf("%d blocks processed, %d bypassed, %d dry frames", s.Processed, s.Overloads, s.Bypassed)
}

func TestLiveDeviceErrors(t *testing.T) {
	env, _ := alsaFiles(t, make([]float32, 48000))
	dir := t.TempDir()
	empty := filepath.Join(dir, "nocard.conf")
	if err := os.WriteFile(empty, []byte("pcm.!default { type hw card 7 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noDevice := audioEnv("ALSA_CONFIG_PATH=" + empty)
	broken := filepath.Join(dir, "nopcm.conf")
	if err := os.WriteFile(broken, []byte("# no PCM at all\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	crashy := audioEnv("ALSA_CONFIG_PATH=" + broken)
	for _, tc := range []struct {
		name  string
		env   []string
		args  []string
		want  []string
		lines int // lines on stderr, 0: any
	}{
		{"ambiguous input", env, []string{"live", "--input", "FILE"}, []string{"matches several input devices", "0: fileout", "1: filein"}, 0},
		{"unknown output", env, []string{"live", "--output", "speakers"}, []string{`no output device matches "speakers"`, "default"}, 0},
		{"bad index", env, []string{"live", "--input", "9"}, []string{"no audio device with index 9"}, 0},
		{"too many channels", env, []string{"live", "--in-channels", "200"}, []string{"has 128 input channels, cannot capture 200"}, 1},
		{"unsupported rate", env, []string{"live", "--rate", "400000"}, []string{"does not support 400000 Hz"}, 1},
		{"no device", noDevice, []string{"live"}, []string{"no audio devices found"}, 1},
		{"latency without device", noDevice, []string{"latency", "--seconds", "0.1"}, []string{"no audio devices found", "--no-device"}, 1},
		{"PortAudio aborts", crashy, []string{"live"}, []string{"PortAudio", "crashed"}, 1},
		{"bad latency", env, []string{"live", "--latency", "fast"}, []string{"want low, high or seconds"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runAudio(t, tc.env, 30*time.Second, tc.args...)
			if r.code == 0 {
				t.Fatalf("exit 0, want an error; stderr %s", r.stderr)
			}
			if r.code >= 128 || strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine") {
				t.Fatalf("crashed (exit %d): %s", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if n := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; tc.lines > 0 && n != tc.lines {
				t.Errorf("%d lines on stderr, want %d:\n%s", n, tc.lines, r.stderr)
			}
		})
	}
}

// latencyReport is the part of latency --json that the tests read.
type latencyReport struct {
	Algorithmic struct {
		ExpectedSamples int     `json:"expected_samples"`
		EngineSamples   int     `json:"engine_samples"`
		EngineMs        float64 `json:"engine_ms"`
		Rate            int     `json:"rate"`
		StreamFrames    int     `json:"stream_frames"`
		PipelineFrames  int     `json:"pipeline_frames"`
		OK              bool    `json:"ok"`
	} `json:"algorithmic"`
	Compute struct {
		Frames int     `json:"frames"`
		P50us  float64 `json:"p50_us"`
		P99us  float64 `json:"p99_us"`
		MaxUs  float64 `json:"max_us"`
		RTF    float64 `json:"rtf"`
	} `json:"compute"`
	RoundTrip *struct {
		Found       bool    `json:"found"`
		DelayMs     float64 `json:"delay_ms"`
		DelayFrames float64 `json:"delay_frames"`
		Confidence  float64 `json:"confidence"`
		ReportedMs  float64 `json:"reported_total_ms"`
		Xruns       int64   `json:"xruns"`
		Message     string  `json:"message"`
	} `json:"round_trip"`
}

func parseLatency(t *testing.T, r result) latencyReport {
	t.Helper()
	var rep latencyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v: %s\n%s", err, r.stdout, r.stderr)
	}
	return rep
}

// TestLatencyImpulse is the algorithmic latency check: an impulse through
// the engine comes out window − hop = 160 samples (10 ms) plus one hop per
// frame of the default model's look-ahead later at 16 kHz.
func TestLatencyImpulse(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	want := 160 * (1 + m.Arch.Lookahead) // samples at 16 kHz
	for _, tc := range []struct {
		rate, perHop int // frames per 160 model samples at rate
		mode         string
	}{
		{48000, 480, "each"},
		{44100, 441, "mono"},
		{16000, 160, "each"},
	} {
		wantStream := tc.perHop * (1 + m.Arch.Lookahead)
		r := runAudio(t, audioEnv(), 60*time.Second, "latency", "--no-device", "--json", "--seconds", "1",
			"--rate", strconv.Itoa(tc.rate), "--channels", tc.mode, "--in-channels", "2")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		rep := parseLatency(t, r)
		a := rep.Algorithmic
		if !a.OK || a.ExpectedSamples != want || a.EngineSamples != want || a.EngineMs != float64(want)/16 || a.StreamFrames != wantStream || a.PipelineFrames < a.StreamFrames {
			t.Errorf("%d Hz: algorithmic %+v", tc.rate, a)
		}
		if c := rep.Compute; c.Frames != 100 || c.P50us <= 0 || c.P99us < c.P50us || c.MaxUs < c.P99us || c.RTF <= 0 {
			t.Errorf("%d Hz: compute %+v", tc.rate, c)
		}
		if rep.RoundTrip != nil {
			t.Errorf("--no-device measured a round trip")
		}
	}
}

// TestLatencyNoLoopback: the ALSA file device plays into a file and captures
// another, so there is no path from output to input, which latency must say
// instead of giving a number.
func TestLatencyNoLoopback(t *testing.T) {
	env, _ := alsaFiles(t, live.NoisySpeech(4*48000, 48000, 1))
	r := runAudio(t, env, 60*time.Second, "latency", "--json", "--seconds", "0.2", "--rate", "48000")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	rt := parseLatency(t, r).RoundTrip
	if rt == nil || rt.Found || !strings.Contains(rt.Message, "no loopback path found") {
		t.Fatalf("round trip %+v: want no loopback found", rt)
	}
	r = runAudio(t, env, 60*time.Second, "latency", "--seconds", "0.2", "--rate", "48000")
	if !strings.Contains(r.stdout, "no loopback path found") || strings.Contains(r.stdout, "measured: 0") {
		t.Errorf("text report:\n%s", r.stdout)
	}
}

// TestLatencyPulseLoopback measures the round trip through a PulseAudio null
// sink and its monitor (the playback comes straight back as capture): found,
// with a correlation far above the 0.3 detection threshold, and the same to
// ±1 ms over 3 runs. The loop is digital but not sample-exact (the delay comes
// out fractional, ~352.6 frames): on a loaded CI machine the median
// correlation measured 0.887, so the bar is 0.8, where a path that is not the
// loop stays below 0.3.
func TestLatencyPulseLoopback(t *testing.T) {
	p := startPulse(t)
	r := runAudio(t, p.env, 30*time.Second, "devices")
	if r.code != 0 || !strings.Contains(r.stdout, "loop_in") || !strings.Contains(r.stdout, "loop_out") {
		t.Fatalf("devices (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
	var delays, confs []float64
	busy := 0
	for attempt := 0; attempt < 8 && len(delays) < 3; attempt++ {
		// Small buffers: the null sink renders in blocks of about the
		// buffer, and each run meets them at another phase.
		r := runAudio(t, p.env, 60*time.Second, "latency", "--json", "--seconds", "0.2", "--input", "loop_in", "--output", "loop_out",
			"--rate", "48000", "--frames-per-buffer", "96", "--latency", "0.005", "--out-channels", "1", "--max-delay", "0.2s")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		rt := parseLatency(t, r).RoundTrip
		if rt == nil {
			t.Fatalf("no round trip in %s", r.stdout)
		}
		if rt.Xruns > 0 { // the machine was too busy: that run's timing is not the loop's
			busy++
			t.Logf("run with %d xruns: %+v", rt.Xruns, *rt)
			continue
		}
		if !rt.Found || rt.Confidence < 0.8 {
			t.Fatalf("loopback not found: %+v", *rt)
		}
		if rt.DelayMs <= 0 || rt.DelayMs > rt.ReportedMs+50 {
			t.Errorf("round trip %.2f ms, PortAudio reports %.1f ms", rt.DelayMs, rt.ReportedMs)
		}
		delays = append(delays, rt.DelayMs)
		confs = append(confs, rt.Confidence)
	}
	if len(delays) < 3 {
		t.Skipf("only %d of 8 runs were free of xruns (%d busy): the machine is too loaded to time the loop", len(delays), busy)
	}
	// Stable to ±1 ms: all three within 1 ms of the middle of their range.
	sort.Float64s(delays)
	if mid := (delays[0] + delays[2]) / 2; delays[2]-mid > 1 {
		t.Errorf("round trips %v ms: not within ±1 ms of %.2f ms", delays, mid)
	}
	t.Logf("round trips %v ms, confidence %v", delays, confs)
}

// TestLivePulseStop runs live on the PulseAudio loop: SIGINT ends it cleanly
// with a summary and a complete recording; killing the server mid-stream
// ends it with a clear error, the recording so far still a valid file. On a
// loaded machine the private server (no real-time priority) sometimes stops
// serving before the first second is through, and PortAudio's ALSA backend
// gives up on the stream: live then ends on its own, rightly, with "stopped
// delivering audio". Such a run says nothing about stopping; it is retried
// on a fresh server, and after three the test is skipped as too busy.
func TestLivePulseStop(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stop     func(*pulse, *exec.Cmd)
		wantCode int
		want     string
	}{
		{"SIGINT", func(_ *pulse, c *exec.Cmd) { c.Process.Signal(os.Interrupt) }, 0, "s of audio"},
		{"SIGTERM", func(_ *pulse, c *exec.Cmd) { c.Process.Signal(syscall.SIGTERM) }, 0, "s of audio"},
		{"server dies", func(p *pulse, _ *exec.Cmd) { p.stop() }, 1, "stopped delivering audio"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stalls []string
			for attempt := 0; attempt < 3; attempt++ {
				stall := livePulseStop(t, tc.stop, tc.wantCode, tc.want)
				if stall == "" {
					return
				}
				stalls = append(stalls, stall)
			}
			t.Skipf("the PulseAudio loop stalled before a second of audio in 3 runs (machine too busy):\n%s", strings.Join(stalls, "\n"))
		})
	}
}

// livePulseStop is one run of TestLivePulseStop on a fresh server. It
// returns live's stderr when the loop stalled before a second of audio
// went through, else "" once it has checked the run.
func livePulseStop(t *testing.T, stop func(*pulse, *exec.Cmd), wantCode int, want string) (stalled string) {
	t.Helper()
	p := startPulse(t)
	defer p.stop()
	rec := filepath.Join(t.TempDir(), "out.wav")
	// Hang guards only: a loaded machine may take its time.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "live", "--input", "loop_in", "--output", "loop_out", "--rate", "48000",
		"--latency", "high", "--record", rec)
	cmd.Env = p.env
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Let a second of audio through (the recording grows as it goes).
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if st, err := os.Stat(rec); err == nil && st.Size() > 48000*4 {
			break
		}
		select {
		case <-done:
			if strings.Contains(errb.String(), "stopped delivering audio") {
				return errb.String()
			}
			t.Fatalf("live ended before a second of audio: %s", errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			t.Fatalf("live recorded nothing within a minute (hang): %s", errb.String())
		}
	}
	stop(p, cmd)
	err := <-done
	if ctx.Err() != nil {
		t.Fatalf("live did not stop (hang): %s", errb.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	if code != wantCode || !strings.Contains(errb.String(), want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errb.String(), wantCode, want)
	}
	rd, c, err := audio.Open(rec)
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	defer c.Close()
	x := readStream(t, rd)
	if n := int64(len(x)); n < 48000 || rd.Frames() != n {
		t.Errorf("recording has %d frames (header says %d), want ≥ 1 s and a patched header", n, rd.Frames())
	}
	return ""
}
