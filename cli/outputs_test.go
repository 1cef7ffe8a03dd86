package cli_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio"
)

// pcm16 is the format of most generated inputs.
var pcm16 = audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.PCM16, Bits: 16}

// TestDenoiseSpecialOutputs: a FIFO and /dev/null are written in place and
// stay what they were (no --force needed: nothing is replaced); the FIFO's
// reader gets the same WAV as a file would; /dev/null works for a user who
// cannot write to /dev; /dev/stdout writes to stdout.
func TestDenoiseSpecialOutputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	writeWAV(t, in, pcm16, voiced(16000, 16000, 1))
	ref := filepath.Join(dir, "ref.wav")
	if res := ghostrnn(t, nil, "denoise", "-q", in, "-o", ref); res.code != 0 {
		t.Fatal(res.stderr)
	}
	_, want := readAll(t, ref)

	t.Run("fifo", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "pipe")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		got := make(chan []byte)
		go func() {
			f, err := os.Open(fifo) // blocks until ghostrnn opens it for writing
			if err != nil {
				got <- nil
				return
			}
			b, _ := io.ReadAll(f)
			f.Close()
			got <- b
		}()
		res := ghostrnn(t, nil, "denoise", "-q", in, "-o", fifo)
		b := <-got
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		r, err := audio.NewReader(bytes.NewReader(b), "fifo")
		if err != nil {
			t.Fatal(err)
		}
		if y := readStream(t, r); !equal(y, want) {
			t.Errorf("the FIFO's reader got %d samples, not the %d of a file output", len(y), len(want))
		}
		if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("the FIFO is no longer a FIFO: %v %v", st.Mode(), err)
		}
	})

	t.Run("dev null", func(t *testing.T) {
		for _, force := range []string{"", "--force"} {
			args := []string{"denoise", "-q", in, "-o", os.DevNull}
			if force != "" {
				args = append(args, force)
			}
			if res := ghostrnn(t, nil, args...); res.code != 0 || res.stderr != "" {
				t.Errorf("%v: exit %d: %s", args, res.code, res.stderr)
			}
			st, err := os.Lstat(os.DevNull)
			if err != nil || st.Mode()&fs.ModeCharDevice == 0 {
				t.Fatalf("%s is no longer a character device: %v %v", os.DevNull, st.Mode(), err)
			}
		}
	})

	t.Run("dev null as nobody", func(t *testing.T) {
		if os.Geteuid() != 0 {
			if res := ghostrnn(t, nil, "denoise", "-q", in, "-o", os.DevNull); res.code != 0 {
				t.Errorf("exit %d: %s", res.code, res.stderr)
			}
			return
		}
		// As root, run a copy of the binary as nobody (65534), which cannot write to /dev.
		pub := t.TempDir()
		os.Chmod(pub, 0o755)
		os.Chmod(filepath.Dir(pub), 0o755)
		b, _ := os.ReadFile(bin)
		nbin, nin := filepath.Join(pub, "ghostrnn"), filepath.Join(pub, "in.wav")
		os.WriteFile(nbin, b, 0o755)
		writeWAV(t, nin, pcm16, voiced(16000, 16000, 1))
		os.Chmod(nin, 0o644)
		cmd := exec.Command(nbin, "denoise", "-q", nin, "-o", os.DevNull)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		cmd.Dir = pub
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		switch {
		case err != nil && !errors.As(err, &ee):
			t.Skipf("cannot start a program as nobody here: %v", err)
		case err != nil:
			t.Errorf("as nobody: %v: %s", err, out)
		}
	})

	t.Run("dev stdout", func(t *testing.T) {
		res := ghostrnn(t, nil, "denoise", "-q", in, "-o", "/dev/stdout")
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		r, err := audio.NewReader(strings.NewReader(res.stdout), "stdout")
		if err != nil {
			t.Fatal(err)
		}
		if y := readStream(t, r); !equal(y, want) {
			t.Errorf("stdout got %d samples, want %d", len(y), len(want))
		}
	})
}

// magic returns the first four bytes of a file.
func magic(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 4 {
		t.Fatalf("%s: %v", path, err)
	}
	return string(b[:4])
}

// TestDenoiseOutputFormat: the -o extension decides WAV or FLAC whatever
// the input; float goes to FLAC as 24-bit; what cannot be written is
// refused before any work (the input is not even opened).
func TestDenoiseOutputFormat(t *testing.T) {
	dir := t.TempDir()
	wav, flac, float := filepath.Join(dir, "in.wav"), filepath.Join(dir, "in.flac"), filepath.Join(dir, "float.wav")
	writeWAV(t, wav, pcm16, voiced(8000, 16000, 1))
	x := voiced(8000, 16000, 2)
	writeWAV(t, float, audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.Float32, Bits: 32}, x)
	if res := ghostrnn(t, nil, "denoise", "-q", wav, "-o", flac); res.code != 0 {
		t.Fatal(res.stderr)
	}
	for _, tc := range []struct {
		name, in, out string
		flags         []string
		magic         string
		enc           audio.Encoding
		bits          int
	}{
		{"wav to .flac", wav, "a.flac", nil, "fLaC", audio.FLAC, 16},
		{"flac to .wav", flac, "b.wav", nil, "RIFF", audio.PCM16, 16},
		{"flac to .wave", flac, "b2.wave", nil, "RIFF", audio.PCM16, 16},
		{"float to .flac", float, "c.flac", nil, "fLaC", audio.FLAC, 24},
		{"float --format flac", float, "d", []string{"--format", "flac"}, "fLaC", audio.FLAC, 24},
		{"float --format flac beside", float, "", []string{"--format", "flac"}, "fLaC", audio.FLAC, 24},
		{"flac default beside", flac, "", nil, "fLaC", audio.FLAC, 16},
		{"float to .wav", float, "e.wav", nil, "RIFF", audio.Float32, 32},
		{"float to .flac --bits 16", float, "f.flac", []string{"--bits", "16"}, "fLaC", audio.FLAC, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"denoise", "-q", "--force", tc.in}, tc.flags...)
			out := filepath.Join(dir, tc.out)
			if tc.out != "" {
				args = append(args, "-o", out)
			} else {
				out = strings.TrimSuffix(tc.in, filepath.Ext(tc.in)) + "_denoised.flac"
			}
			if res := ghostrnn(t, nil, args...); res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			if m := magic(t, out); m != tc.magic {
				t.Errorf("output starts %q, want %q", m, tc.magic)
			}
			f, y := readAll(t, out)
			if f.Encoding != tc.enc || f.Bits != tc.bits {
				t.Errorf("output %v %d-bit, want %v %d-bit", f.Encoding, f.Bits, tc.enc, tc.bits)
			}
			if len(y) != 8000 {
				t.Errorf("output has %d samples, want 8000", len(y))
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"mp3 output", []string{"podcast.mp3", "-o", "podcast_clean.mp3"}, "MP3 output is not supported"},
		{"ogg output", []string{wav, "-o", filepath.Join(dir, "x.ogg")}, "WAV or FLAC, not .ogg"},
		{"format contradicts -o", []string{wav, "-o", filepath.Join(dir, "x.wav"), "--format", "flac"}, "names a WAV file"},
		{"32f to flac", []string{float, "-o", filepath.Join(dir, "x.flac"), "--bits", "32f"}, "cannot be written to FLAC"},
		{"32f with --format flac", []string{dir, "--format", "flac", "--bits", "32f"}, "cannot be written to FLAC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := entries(t, dir)
			res := ghostrnn(t, nil, append([]string{"denoise"}, tc.args...)...)
			msg := strings.TrimSpace(res.stderr)
			if res.code != 2 || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("exit %d, %q; want 2 and one line with %q", res.code, msg, tc.want)
			}
			if after := entries(t, dir); len(after) != len(before) {
				t.Errorf("files written: %v → %v", before, after)
			}
		})
	}
	if res := ghostrnn(t, nil, "denoise", "x.mp3", "-o", "x.mp3"); !strings.Contains(res.stderr, "ffmpeg") || !strings.Contains(res.stderr, "x.flac") {
		t.Errorf("the MP3 refusal should suggest FLAC and ffmpeg: %q", res.stderr)
	}
}

// TestDenoiseRerun: a second run on a folder does not take its own outputs
// as inputs, says "already done" per file and exits 0; --skip-existing says
// nothing per file; --force redoes them, still without _denoised_denoised.
func TestDenoiseRerun(t *testing.T) {
	for _, outDir := range []string{"", "cleaned"} {
		t.Run("out-dir="+outDir, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
			writeWAV(t, filepath.Join(dir, "a.wav"), pcm16, voiced(4000, 16000, 1))
			writeWAV(t, filepath.Join(dir, "sub", "b.wav"), pcm16, voiced(4000, 16000, 2))
			args := []string{"denoise", dir}
			if outDir != "" {
				args = append(args, "--out-dir", filepath.Join(dir, outDir)) // outputs inside the walked folder
			}
			if res := ghostrnn(t, nil, args...); res.code != 0 || !strings.Contains(res.stderr, "denoised 2 of 2 files") {
				t.Fatalf("first run: exit %d: %s", res.code, res.stderr)
			}
			want := listTree(t, dir)
			res := ghostrnn(t, nil, args...)
			if res.code != 0 || strings.Count(res.stderr, "already done:") != 2 || !strings.Contains(res.stderr, "denoised 0 of 2 files (2 already done), 0 failed") {
				t.Errorf("rerun: exit %d: %q", res.code, res.stderr)
			}
			res = ghostrnn(t, nil, append(args, "--skip-existing")...)
			if res.code != 0 || strings.Contains(res.stderr, "already done:") {
				t.Errorf("--skip-existing: exit %d: %q", res.code, res.stderr)
			}
			res = ghostrnn(t, nil, append(args, "--force")...)
			if res.code != 0 || !strings.Contains(res.stderr, "denoised 2 of 2 files") {
				t.Errorf("--force: exit %d: %q", res.code, res.stderr)
			}
			if got := listTree(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("files after the reruns %v, after the first run %v", got, want)
			}
			for _, p := range listTree(t, dir) {
				if strings.Contains(p, "_denoised_denoised") {
					t.Errorf("an output was denoised again: %s", p)
				}
			}
		})
	}
	// A file that only looks like an output (no source beside it) is an input.
	dir := t.TempDir()
	writeWAV(t, filepath.Join(dir, "take_denoised.wav"), pcm16, voiced(4000, 16000, 1))
	if res := ghostrnn(t, nil, "denoise", "-q", dir); res.code != 0 {
		t.Fatal(res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "take_denoised_denoised.wav")); err != nil {
		t.Errorf("a lone *_denoised.wav was not processed: %v", err)
	}
}

// listTree lists the files under dir, relative to it.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var l []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			l = append(l, rel)
		}
		return nil
	})
	return l
}

// TestDenoiseClipWarning: 16-bit output of a float input louder than full
// scale warns with the exact count of clipped samples (bypass: output = input).
func TestDenoiseClipWarning(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "loud.wav")
	x := voiced(16000, 16000, 1)
	loud := 0
	for i := range x {
		x[i] *= 8
		if x[i] > 1 || x[i] < -1 {
			loud++
		}
	}
	writeWAV(t, in, audio.Format{SampleRate: 16000, Channels: 1, Encoding: audio.Float32, Bits: 32}, x)
	res := ghostrnn(t, nil, "denoise", "-q", "--atten-lim-db", "0", "--bits", "16", in, "-o", filepath.Join(dir, "out.wav"))
	if res.code != 0 || loud == 0 {
		t.Fatalf("exit %d (%d loud samples): %s", res.code, loud, res.stderr)
	}
	want := strconv.Itoa(loud) + " of 16000 samples"
	if !strings.Contains(res.stderr, "warning") || !strings.Contains(res.stderr, want) || !strings.Contains(res.stderr, "clipped") {
		t.Errorf("want a warning with %q, got %q", want, res.stderr)
	}
	if res := ghostrnn(t, nil, "denoise", "-q", "--atten-lim-db", "0", in, "-o", filepath.Join(dir, "f.wav")); strings.Contains(res.stderr, "clipped") {
		t.Errorf("float output does not clip, but: %q", res.stderr)
	}
}
