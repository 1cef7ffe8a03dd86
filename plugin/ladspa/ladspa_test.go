package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/plugin"
)

// The tests run real hosts on the plugin built as a shared library, beside
// a ghostrnn binary for the reference.
var (
	dir    string // temporary folder of the builds
	so     string // the plugin library
	bin    string // the ghostrnn binary
	buildE error
)

func TestMain(m *testing.M) {
	var err error
	if dir, err = os.MkdirTemp("", "ghostrnn-plugin-test-"); err != nil {
		panic(err)
	}
	so = filepath.Join(dir, "ghostrnn_ladspa.so")
	bin = filepath.Join(dir, "ghostrnn")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, args := range [][]string{
		{"build", "-buildmode=c-shared", "-o", so, "."},
		{"build", "-o", bin, "../.."},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command("go", args...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out.String())
			}
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		fmt.Fprintln(os.Stderr, errs[0], errs[1])
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// need skips the test when a host program is not installed.
func need(t *testing.T, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Skipf("%s is not installed (Debian: apt-get install %s; CI installs it from .ci/packages)", prog, pkg)
	}
	return p
}

// run runs a command and fails the test with its output when it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// read returns a WAV file's interleaved samples and channel count.
func read(t *testing.T, path string) ([]float32, int) {
	t.Helper()
	r, c, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var x []float32
	buf := make([]float32, 4096*r.Format().Channels)
	for {
		n, err := r.Read(buf)
		x = append(x, buf[:n]...)
		if err == io.EOF {
			return x, r.Format().Channels
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// input writes the first 4 s of the bundled noisy example at 48 kHz, 16-bit:
// mono, or stereo with the clean speech as the right channel.
func input(t *testing.T, stereo bool) string {
	t.Helper()
	need(t, "sox", "sox")
	p := filepath.Join(t.TempDir(), "in.wav")
	args := []string{"../../testdata/example/noisy.wav"}
	if stereo {
		args = []string{"-M", "../../testdata/example/noisy.wav", "../../testdata/example/clean.wav"}
	}
	run(t, "sox", append(args, "-r", "48000", "-b", "16", p, "trim", "0", "4")...)
	return p
}

// latency48k is the latency at 48 kHz in frames, from the plugin's own
// code; the hosts must see the same on the latency port.
func latency48k(t *testing.T) int {
	t.Helper()
	m, err := plugin.LoadModel()
	if err != nil {
		t.Fatal(err)
	}
	p, err := plugin.New(m, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	return p.Latency()
}

// TestAnalysePlugin: analyseplugin lists both labels with their ports.
func TestAnalysePlugin(t *testing.T) {
	need(t, "analyseplugin", "ladspa-sdk")
	out := run(t, "analyseplugin", so)
	for _, want := range []string{
		`Plugin Label: "ghostrnn_mono"`, `Plugin Label: "ghostrnn_stereo"`,
		`"Input" input, audio`, `"Output" output, audio`,
		`"Input L" input, audio`, `"Input R" input, audio`, `"Output L" output, audio`, `"Output R" output, audio`,
		`"Attenuation limit (dB)" input, control, 0 to 100, default 100`,
		`"Wet mix" input, control, 0 to 1, default 1`,
		`"Bypass" input, control, toggled, default 0`,
		`"latency" output, control`,
		"Environment: Normal or Hard Real-Time",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("analyseplugin output lacks %q:\n%s", want, out)
		}
	}
}

// compare checks a host's output against denoise's, shifted by the latency:
// host[i+lat] against ref[i] for every frame from 10 ms on (before, the
// upsampler's start-up differs; see plugin.TestRunMatchesDenoise), within tol.
func compare(t *testing.T, host, ref []float32, ch, lat int, tol float64) {
	t.Helper()
	n := len(host)/ch - lat
	if n <= 48000 || len(ref)/ch < n {
		t.Fatalf("host gave %d frames, denoise %d, latency %d", len(host)/ch, len(ref)/ch, lat)
	}
	var worst float64
	differ := 0
	for i := 480 * ch; i < n*ch; i++ {
		d := math.Abs(float64(host[i+lat*ch] - ref[i]))
		if d != 0 {
			differ++
		}
		if d > tol {
			t.Fatalf("frame %d channel %d: host %v, denoise %v (tolerance %g)", i/ch, i%ch, host[i+lat*ch], ref[i], tol)
		}
		worst = max(worst, d)
	}
	t.Logf("%d frames × %d channels compared: largest difference %g, %d samples not bit-exact", n-480, ch, worst, differ)
}

// denoise runs ghostrnn denoise on in to 32-bit float and returns the samples.
func denoise(t *testing.T, in string, args ...string) []float32 {
	t.Helper()
	out := filepath.Join(t.TempDir(), "denoised.wav")
	run(t, bin, append([]string{"denoise", in, "-o", out, "--bits", "32f", "-q"}, args...)...)
	x, _ := read(t, out)
	return x
}

// TestSoxMatchesDenoise: sox's ladspa effect (float output) gives denoise's
// samples delayed by the latency, with default and with gentler controls,
// within 1e-6 (measured 3.03e-8: sox carries samples as 32-bit integers
// between effects, so most are not bit-exact).
func TestSoxMatchesDenoise(t *testing.T) {
	in := input(t, false)
	for _, ctl := range [][]string{{"100", "1", "0"}, {"12", "0.8", "0"}} {
		out := filepath.Join(t.TempDir(), "sox.wav")
		run(t, "sox", append([]string{in, "-e", "floating-point", "-b", "32", out, "ladspa", so, "ghostrnn_mono"}, ctl...)...)
		host, _ := read(t, out)
		ref := denoise(t, in, "--atten-lim-db", ctl[0], "--mix", ctl[1])
		compare(t, host, ref, 1, latency48k(t), 1e-6)
	}
}

// TestApplyPluginMatchesDenoise: applyplugin (16-bit in and out) with the
// stereo label gives denoise's samples delayed by the latency, to within one
// 16-bit step (applyplugin rounds its float output its own way).
func TestApplyPluginMatchesDenoise(t *testing.T) {
	need(t, "applyplugin", "ladspa-sdk")
	in := input(t, true)
	out := filepath.Join(t.TempDir(), "applyplugin.wav")
	run(t, "applyplugin", in, out, so, "ghostrnn_stereo", "100", "1", "0")
	host, ch := read(t, out)
	if ch != 2 {
		t.Fatalf("applyplugin wrote %d channels", ch)
	}
	compare(t, host, denoise(t, in), 2, latency48k(t), 1.0/32768+1e-7)
}

// lv2Bundle lays out the LV2 bundle as make plugin does and returns the
// environment that makes lilv hosts find it.
func lv2Bundle(t *testing.T) []string {
	t.Helper()
	root := t.TempDir()
	b := filepath.Join(root, "ghostrnn.lv2")
	if err := os.Mkdir(b, 0o755); err != nil {
		t.Fatal(err)
	}
	lib, err := os.ReadFile(so)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"ghostrnn.so": lib}
	for _, f := range []string{"manifest.ttl", "ghostrnn.ttl"} {
		if files[f], err = os.ReadFile(filepath.Join("ghostrnn.lv2", f)); err != nil {
			t.Fatal(err)
		}
	}
	for f, data := range files {
		if err := os.WriteFile(filepath.Join(b, f), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return append(os.Environ(), "LV2_PATH="+root)
}

// runEnv is run with an environment.
func runEnv(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

const lv2URI = "https://github.com/ghostrnn/ghostrnn/plugin#"

// TestLV2: lv2info reads the bundle (ports, latency port); lv2apply and
// lv2file (32-bit float WAV in and out) give denoise's samples delayed by the
// latency, bit-exact, stereo, and with controls set by symbol.
func TestLV2(t *testing.T) {
	need(t, "lv2info", "lilv-utils")
	env := lv2Bundle(t)
	info := runEnv(t, env, "lv2info", lv2URI+"stereo")
	for _, want := range []string{"Has latency:       yes, reported by port 7", "Symbol:      atten_lim_db", "Symbol:      in_r", "Symbol:      out_l", "lv2core#toggled"} {
		if !strings.Contains(info, want) {
			t.Errorf("lv2info lacks %q:\n%s", want, info)
		}
	}
	in16 := input(t, true)
	in := filepath.Join(t.TempDir(), "in32f.wav")
	run(t, "sox", in16, "-e", "floating-point", "-b", "32", in)
	ref := denoise(t, in)
	lat := latency48k(t)
	out := filepath.Join(t.TempDir(), "lv2apply.wav")
	runEnv(t, env, "lv2apply", "-i", in, "-o", out, lv2URI+"stereo")
	host, ch := read(t, out)
	if ch != 2 {
		t.Fatalf("lv2apply wrote %d channels", ch)
	}
	compare(t, host, ref, 2, lat, 0)

	gentle := denoise(t, in, "--atten-lim-db", "12", "--mix", "0.8")
	runEnv(t, env, "lv2apply", "-i", in, "-o", out, "-c", "atten_lim_db", "12", "-c", "mix", "0.8", lv2URI+"stereo")
	host, _ = read(t, out)
	compare(t, host, gentle, 2, lat, 0)

	if _, err := exec.LookPath("lv2file"); err != nil {
		t.Log("lv2file is not installed (apt-get install lv2file): not tried")
		return
	}
	out = filepath.Join(t.TempDir(), "lv2file.wav")
	runEnv(t, env, "lv2file", "-i", in, "-o", out, "-b", "333", lv2URI+"stereo")
	host, _ = read(t, out)
	compare(t, host, ref, 2, lat, 0)
}

// TestLoadUnloadCycles: a C host loads the library, runs a stereo instance
// (on its own thread) and a mono one, unloads, 100 times; resident memory
// after the 100th cycle is within 4 MB of that after the 10th (a leaked
// instance holds about 0.5 MB: 180 of them would show).
func TestLoadUnloadCycles(t *testing.T) {
	cc := need(t, "cc", "build-essential")
	host := filepath.Join(t.TempDir(), "host")
	run(t, cc, "-O2", "-o", host, "testdata/host.c", "-ldl", "-lpthread", "-lm")
	out := run(t, host, so, "100")
	var rss10, rss100, lat int
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "rss" && f[1] == "10":
			rss10, _ = strconv.Atoi(f[2])
		case len(f) == 3 && f[0] == "rss" && f[1] == "100":
			rss100, _ = strconv.Atoi(f[2])
		case len(f) == 3 && f[0] == "latency":
			lat, _ = strconv.Atoi(f[1])
		}
	}
	if rss10 <= 0 || rss100 <= 0 {
		t.Fatalf("host output:\n%s", out)
	}
	if want := latency48k(t); lat != want {
		t.Errorf("latency port reads %d frames, want %d", lat, want)
	}
	if rss100-rss10 > 4096 {
		t.Errorf("resident memory grew from %d kB after 10 cycles to %d kB after 100", rss10, rss100)
	}
	t.Logf("RSS %d kB after 10 cycles, %d kB after 100", rss10, rss100)
}
