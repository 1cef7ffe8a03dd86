//go:build !nolive

package cli_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/audio/live"
	"github.com/ghostrnn/ghostrnn/cli"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

// defaultDevices is the DeviceSpec of the flags' defaults at rate.
func defaultDevices(rate int) cli.DeviceSpec {
	return cli.DeviceSpec{Rate: rate, FramesPerBuffer: -1, Latency: "low", InChannels: 1}
}

// exitCode returns the exit status an error of a command carries (0 for nil).
func exitCode(err error) int {
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestLatencyDirect calls Latency without the command line: the
// algorithmic latency of the default model holds at 48 kHz, the compute
// figures cover every block, the text report says so, and settings that
// cannot work give exit status 2 before any measurement.
func TestLatencyDirect(t *testing.T) {
	m, err := models.Open("")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cfg := cli.LatencyConfig{Devices: defaultDevices(48000), NoDevice: true, Seconds: 0.5,
		Model: m, Options: enhancer.DefaultOptions, Mode: enhancer.EachChannel, Stdout: &out}
	rep, err := cli.Latency(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Algorithmic
	if !a.OK || a.ExpectedSamples != m.Latency() || a.EngineSamples != m.Latency() || math.Abs(float64(a.StreamFrames)-a.StreamExpected) > 0.5 || a.FramesPerBuffer != 480 {
		t.Errorf("algorithmic %+v", a)
	}
	if c := rep.Compute; c.Frames != 50 || c.Mode != "each" || c.P99us < c.P50us {
		t.Errorf("compute %+v", c)
	}
	if rep.RoundTrip != nil || rep.Model != models.DefaultName {
		t.Errorf("report %+v", rep)
	}
	for _, want := range []string{"algorithmic latency", "live pipeline", "real-time factor"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, out.String())
		}
	}
	for _, bad := range []func(*cli.LatencyConfig){
		func(c *cli.LatencyConfig) { c.Seconds = 0 },
		func(c *cli.LatencyConfig) { c.Devices.Rate = 500 },
		func(c *cli.LatencyConfig) { c.Devices.InChannels = 0 },
	} {
		c := cfg
		bad(&c)
		out.Reset()
		if _, err := cli.Latency(c); exitCode(err) != 2 || out.Len() != 0 {
			t.Errorf("%+v: error %v (exit %d), output %q; want exit 2 and no report", c.Devices, err, exitCode(err), out.String())
		}
	}
}

// TestLiveDirect calls Live without the command line on the ALSA file
// device (in this process, so it is the only test here that opens
// PortAudio): one second at 16 kHz, started bypassed, records (into a
// folder it creates) the input exactly the reported delay later, and the
// recordings that exist or
// collide are refused with exit status 2 before any device is opened.
func TestLiveDirect(t *testing.T) {
	m, err := models.Open("")
	if err != nil {
		t.Fatal(err)
	}
	const rate = 16000
	in := live.NoisySpeech(rate, rate, 1)
	env, _ := alsaFiles(t, in)
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); k == "ALSA_CONFIG_PATH" {
			t.Setenv(k, v)
		}
	}
	dir := t.TempDir()
	rec := filepath.Join(dir, "new", "out.wav") // a missing folder is created, as denoise does
	var stdout, stderr bytes.Buffer
	cfg := cli.LiveConfig{Devices: defaultDevices(rate), Record: rec, Bypass: true, Duration: time.Second,
		StatsJSON: true, MaxLoad: 0.8, Model: m, Options: enhancer.DefaultOptions, Mode: enhancer.EachChannel,
		Stdout: &stdout, Stderr: &stderr}

	exists := filepath.Join(dir, "exists.wav")
	os.WriteFile(exists, nil, 0o644)
	for _, c := range []cli.LiveConfig{
		{Record: exists, Stderr: &stderr},
		{Record: rec, RecordRaw: rec, Stderr: &stderr},
	} {
		if err := cli.Live(context.Background(), c); exitCode(err) != 2 {
			t.Errorf("record %q, raw %q: %v (exit %d), want exit 2", c.Record, c.RecordRaw, err, exitCode(err))
		}
	}

	if err := cli.Live(context.Background(), cfg); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	s := parseSummary(t, stdout.String()).Summary
	if s.Frames != rate || s.RecordFrames != rate {
		t.Fatalf("summary %+v: want %d frames recorded", s, rate)
	}
	if !strings.Contains(stderr.String(), "live: delay") {
		t.Errorf("stderr lacks the delay line:\n%s", stderr.String())
	}
	_, got := readAll(t, rec)
	if s.Overloads > 0 {
		t.Logf("%d blocks bypassed for time: they are the delayed input too", s.Overloads)
	}
	L := s.LatencyFrames
	for i := L; i < len(got); i++ {
		if got[i] != in[i-L] {
			t.Fatalf("bypassed recording frame %d = %v, want the input's frame %d = %v", i, got[i], i-L, in[i-L])
		}
	}
}
