package cli_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The live, devices and latency tests run the binary against headless
// devices: ALSA file plugins (testdata/alsa/file.conf: capture reads IN.raw,
// playback writes OUT.raw, unpaced) and a private PulseAudio server with a
// null sink whose monitor loops playback back to capture
// (testdata/alsa/pulse.conf, pulse.pa). PortAudio reads its ALSA
// configuration once per process, so every case is its own process.

// audioEnv is the environment of a device test: the test's own variables
// replace any the developer has set for ALSA, PulseAudio or ghostrnn.
func audioEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ALSA_") || strings.HasPrefix(k, "PULSE_") || strings.HasPrefix(k, "GHOSTRNN_") || k == "XDG_RUNTIME_DIR" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// runAudio runs the binary with env, failing the test if it takes longer
// than timeout (a hang).
func runAudio(t *testing.T, env []string, timeout time.Duration, args ...string) result {
	t.Helper()
	return runBin(t, env, nil, timeout, args...)
}

// alsaFiles writes in (float32 samples) to IN.raw and an ALSA configuration
// from testdata/alsa/file.conf reading it and writing OUT.raw, in a
// temporary folder. It returns the environment selecting it and OUT.raw's path.
func alsaFiles(t *testing.T, in []float32) (env []string, outRaw string) {
	t.Helper()
	dir := t.TempDir()
	conf, err := os.ReadFile("../testdata/alsa/file.conf")
	if err != nil {
		t.Fatal(err)
	}
	inRaw, outRaw := filepath.Join(dir, "IN.raw"), filepath.Join(dir, "OUT.raw")
	b := make([]byte, 0, 4*len(in))
	for _, v := range in {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	if err := os.WriteFile(inRaw, b, 0o644); err != nil {
		t.Fatal(err)
	}
	c := strings.ReplaceAll(string(conf), `"IN.raw"`, strconv.Quote(inRaw))
	c = strings.ReplaceAll(c, `"OUT.raw"`, strconv.Quote(outRaw))
	path := filepath.Join(dir, "alsa.conf")
	if err := os.WriteFile(path, []byte(c), 0o644); err != nil {
		t.Fatal(err)
	}
	return audioEnv("ALSA_CONFIG_PATH=" + path), outRaw
}

// readRaw reads a file of float32 little-endian samples.
func readRaw(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, len(b)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pulse is a private PulseAudio server for one test.
type pulse struct {
	cmd *exec.Cmd
	env []string
	log bytes.Buffer
}

// startPulse starts pulseaudio with testdata/alsa/pulse.pa (a null sink whose
// monitor loops playback back to capture) in a private runtime folder, and
// returns the environment that routes ALSA (hence PortAudio) to it. The
// server is killed when the test ends.
func startPulse(t *testing.T) *pulse {
	t.Helper()
	exe, err := exec.LookPath("pulseaudio")
	if err != nil {
		t.Skip("pulseaudio is not installed (apt-get install pulseaudio libasound2-plugins)")
	}
	dir := t.TempDir()
	rt := filepath.Join(dir, "rt")
	if err := os.MkdirAll(rt, 0o700); err != nil {
		t.Fatal(err)
	}
	client := filepath.Join(dir, "client.conf")
	if err := os.WriteFile(client, []byte("autospawn = no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf, err := filepath.Abs("../testdata/alsa/pulse.conf")
	if err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("../testdata/alsa/pulse.pa")
	sock := filepath.Join(rt, "pulse", "native")
	p := &pulse{env: audioEnv("HOME="+dir, "XDG_RUNTIME_DIR="+rt, "PULSE_SERVER=unix:"+sock,
		"PULSE_CLIENTCONFIG="+client, "ALSA_CONFIG_PATH="+conf)}
	p.cmd = exec.Command(exe, "--daemonize=no", "--exit-idle-time=-1", "-n", "-F", script,
		"--use-pid-file=no", "--realtime=no", "--high-priority=no", "--log-target=stderr", "--disallow-exit")
	p.cmd.Env = p.env
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting pulseaudio: %v", err)
	}
	t.Cleanup(p.stop)
	waitFor(t, "pulseaudio", func() bool { _, err := os.Stat(sock); return err == nil }, p.log.String)
	return p
}

// waitFor polls ok every 50 ms until it holds. It sets no time limit of
// its own (a loaded machine may take its time): only when the test binary's
// own -timeout is 30 s away does it give up, failing the test with what and
// log() rather than letting the timeout kill the run without them.
func waitFor(t *testing.T, what string, ok func() bool, log func() string) {
	t.Helper()
	deadline, limited := t.Deadline()
	for !ok() {
		if limited && time.Until(deadline) < 30*time.Second {
			t.Fatalf("%s did not come up before the test timeout:\n%s", what, log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop kills the server (if still running) and waits for it.
func (p *pulse) stop() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}
