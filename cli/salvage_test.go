package cli_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio"
)

// tone is frames of ch channels: a 440 Hz tone with a little noise-like
// ripple, at rate.
func tone(frames, ch, rate int) []float32 {
	x := make([]float32, frames*ch)
	for i := 0; i < frames; i++ {
		for c := 0; c < ch; c++ {
			t := float64(i) / float64(rate)
			x[i*ch+c] = float32(0.3*math.Sin(2*math.Pi*440*t+float64(c)) + 0.05*math.Sin(float64(i*i%9973)))
		}
	}
	return x
}

// dataOffset returns the offset of the data chunk's size field in a WAV.
func dataOffset(t *testing.T, b []byte) int {
	t.Helper()
	i := bytes.Index(b, []byte("data"))
	if i < 0 {
		t.Fatal("no data chunk")
	}
	return i + 4
}

// salvagedFrames reads path with audio.Salvage and returns its frames.
func salvagedFrames(t *testing.T, path string) int {
	t.Helper()
	r, c, err := audio.Open(path, audio.Salvage)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return len(readStream(t, r)) / r.Format().Channels
}

// TestDenoiseSalvage: damaged inputs (a WAV whose sizes were never written,
// a WAV cut mid-frame, an MP3 cut mid-frame, a FLAC cut short) are
// denoised to what they hold with one warning line naming the file and
// what was missing, exit 0, and an output exactly as long as what was
// salvaged; --strict refuses them with one error line and no output.
func TestDenoiseSalvage(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.wav")
	stereo := audio.Format{SampleRate: 44100, Channels: 2, Encoding: audio.PCM16}
	writeWAV(t, src, stereo, tone(44100, 2, 44100))
	whole, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	off := dataOffset(t, whole)

	zero := bytes.Clone(whole)
	binary.LittleEndian.PutUint32(zero[4:], 0)
	binary.LittleEndian.PutUint32(zero[off:], 0)

	var fl bytes.Buffer
	w, err := audio.CreateFLAC(&fl, audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(tone(40000, 1, 16000)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	mp3, err := os.ReadFile("../audio/testdata/tone_stereo.mp3")
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name     string
		data     []byte
		damage   string // in the warning (and the --strict error)
		minFrame int    // at least this many frames are salvaged
	}{
		{"sizes_zero.wav", zero, "sizes were never written", 44100},
		{"cut.wav", whole[:off+4+4*30000+3], "header declares 176400 bytes of samples, file has 120003", 30000},
		{"cut.flac", fl.Bytes()[:fl.Len()*3/5], "truncated FLAC data", 8192},
		{"cut.mp3", mp3[:len(mp3)*2/3+3], "truncated MP3 data", 1152},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), c.name)
			if err := os.WriteFile(in, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			want := salvagedFrames(t, in)
			if want < c.minFrame {
				t.Fatalf("only %d frames salvaged, want at least %d", want, c.minFrame)
			}
			out := filepath.Join(t.TempDir(), "out.wav")
			res := ghostrnn(t, nil, "denoise", "-q", in, "-o", out)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			msg := strings.TrimSpace(res.stderr)
			if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, in+": warning: damaged input") || !strings.Contains(msg, c.damage) {
				t.Errorf("want one warning line naming %s and %q, got %q", in, c.damage, msg)
			}
			f, y := readAll(t, out)
			if got := len(y) / f.Channels; got != want {
				t.Errorf("output has %d frames, the salvaged input %d", got, want)
			}

			res = ghostrnn(t, nil, "denoise", "-q", "--strict", in, "-o", out+"2.wav")
			msg = strings.TrimSpace(res.stderr)
			if res.code != 1 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, in) {
				t.Errorf("--strict: exit %d, stderr %q; want 1 and one line naming the file", res.code, msg)
			}
			if _, err := os.Stat(out + "2.wav"); err == nil {
				t.Error("--strict wrote an output")
			}
		})
	}
}

// TestDenoiseStdinPlaceholders: a WAV on stdin whose header carries the
// sizes of a writer that cannot seek (sox's 0x7FFFF000, 0xFFFFFFFF, or 0)
// is read to its end without a warning, and the WAV on stdout has exactly
// the input's length and sox's placeholder sizes.
func TestDenoiseStdinPlaceholders(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.wav")
	const frames = 48000 + 123
	writeWAV(t, src, audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16}, tone(frames, 1, 16000))
	whole, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	off := dataOffset(t, whole)
	for _, sizes := range [][2]uint32{{0x7FFFF024, 0x7FFFF000}, {0xFFFFFFFF, 0xFFFFFFFF}, {0, 0}} {
		b := bytes.Clone(whole)
		binary.LittleEndian.PutUint32(b[4:], sizes[0])
		binary.LittleEndian.PutUint32(b[off:], sizes[1])
		res := ghostrnn(t, bytes.NewReader(b), "denoise", "-", "-o", "-")
		if res.code != 0 || res.stderr != "" {
			t.Errorf("sizes %#x: exit %d, stderr %q; want 0 and nothing", sizes, res.code, res.stderr)
			continue
		}
		out := []byte(res.stdout)
		if got := binary.LittleEndian.Uint32(out[dataOffset(t, out):]); got != 0x7FFFF000 {
			t.Errorf("sizes %#x: output data size %#x, want sox's placeholder 0x7FFFF000", sizes, got)
		}
		r, err := audio.NewReader(bytes.NewReader(out), "-")
		if err != nil {
			t.Fatal(err)
		}
		if got := len(readStream(t, r)); got != frames {
			t.Errorf("sizes %#x: output has %d frames, want the input's %d", sizes, got, frames)
		}
	}
}

// TestDenoiseSoxPipe runs the pipe of the README: sox writes WAV with its
// placeholder sizes to ghostrnn, whose output sox reads. Every sample must
// come through, and neither program may complain.
func TestDenoiseSoxPipe(t *testing.T) {
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox not installed (it is in .ci/packages)")
	}
	dir := t.TempDir()
	errf := filepath.Join(dir, "ghostrnn.err")
	script := `set -o pipefail; sox -V1 -n -r 16000 -b 16 -t wav - synth 100 pinknoise vol 0.1 | "$1" denoise - -o - 2>"$2" | sox -t wav - -n stat`
	out, err := exec.Command("bash", "-c", script, "pipe", bin, errf).CombinedOutput()
	gerr, _ := os.ReadFile(errf)
	if err != nil {
		t.Fatalf("pipe failed: %v\n%s\nghostrnn: %s", err, out, gerr)
	}
	if len(gerr) != 0 {
		t.Errorf("ghostrnn wrote to stderr: %q", gerr)
	}
	if strings.Contains(string(out), "WARN") {
		t.Errorf("sox complains about ghostrnn's output:\n%s", out)
	}
	m := regexp.MustCompile(`Samples read:\s+(\d+)`).FindStringSubmatch(string(out))
	if m == nil || m[1] != "1600000" {
		t.Errorf("sox read %v samples, want all 1600000:\n%s", m, out)
	}
}

// TestEvalSalvage: eval scores a damaged degraded file as far as it goes,
// with one warning line and a note; --strict skips it (and with nothing
// left to score, exits 1).
func TestEvalSalvage(t *testing.T) {
	b, err := os.ReadFile("../testdata/example/clean.wav")
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.wav")
	if err := os.WriteFile(cut, b[:len(b)*2/3+1], 0o644); err != nil {
		t.Fatal(err)
	}
	res := ghostrnn(t, nil, "eval", "--ref", "../testdata/example/clean.wav", "--deg", cut, "--json")
	warn := strings.TrimSpace(res.stderr)
	if res.code != 0 || strings.Count(warn, "\n") != 0 || !strings.Contains(warn, cut+": warning: damaged input") || !strings.Contains(warn, "truncated WAV data") {
		t.Errorf("exit %d, stderr %q; want 0 and one warning naming %s", res.code, res.stderr, cut)
	}
	if !strings.Contains(res.stdout, "deg damaged, scored what it holds") {
		t.Errorf("the note does not say the file was damaged:\n%s", res.stdout)
	}
	res = ghostrnn(t, nil, "eval", "--strict", "--ref", "../testdata/example/clean.wav", "--deg", cut)
	if res.code != 1 || !strings.Contains(res.stderr, "truncated WAV data") {
		t.Errorf("--strict: exit %d, stderr %q; want 1 and the reason", res.code, res.stderr)
	}
}
