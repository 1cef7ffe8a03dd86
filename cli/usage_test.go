package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDenoiseUsage: settings that cannot work are refused with one line and
// exit 2, before any file is written; --version and the examples in --help.
func TestDenoiseUsage(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	writeWAV(t, in, pcm16, voiced(4000, 16000, 1))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"-o with --out-dir", []string{in, "-o", filepath.Join(dir, "x.wav"), "--out-dir", dir}, "give one"},
		{"--plot with -o -", []string{in, "-o", "-", "--plot"}, "--plot"},
		{"--plot with a device", []string{in, "-o", os.DevNull, "--plot"}, "--plot"},
		{"--jobs 0", []string{in, "--jobs", "0"}, "--jobs 0"},
		{"--jobs -1", []string{in, "--jobs", "-1"}, "--jobs -1"},
		{"--force with --skip-existing", []string{in, "--force", "--skip-existing"}, "contradict"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := ghostrnn(t, nil, append([]string{"denoise"}, tc.args...)...)
			msg := strings.TrimSpace(res.stderr)
			if res.code != 2 || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("exit %d, %q; want 2 and one line with %q", res.code, msg, tc.want)
			}
			if n := entries(t, dir); len(n) != 1 {
				t.Errorf("files written: %v", n)
			}
		})
	}

	// -o naming a folder: one plain line, with or without --force, and the folder stays.
	sub := filepath.Join(dir, "o")
	os.Mkdir(sub, 0o755)
	for _, force := range []string{"-q", "--force"} {
		res := ghostrnn(t, nil, "denoise", "-q", in, "-o", sub, force)
		msg := strings.TrimSpace(res.stderr)
		if res.code == 0 || !strings.Contains(msg, "is a folder") || strings.Contains(msg, "\n") {
			t.Errorf("-o folder %s: exit %d, %q", force, res.code, msg)
		}
		if st, err := os.Stat(sub); err != nil || !st.IsDir() {
			t.Errorf("the folder was replaced")
		}
	}
	os.Remove(sub)

	// One file, one job: the summary's grammar.
	res := ghostrnn(t, nil, "denoise", in, "-o", filepath.Join(dir, "one.wav"))
	if !strings.Contains(res.stderr, "denoised 1 of 1 file:") || !strings.Contains(res.stderr, "1 job)") {
		t.Errorf("summary %q", res.stderr)
	}

	if res := ghostrnn(t, nil, "--version"); res.code != 0 || !strings.HasPrefix(res.stdout, "ghostrnn version ") || !strings.Contains(res.stdout, "go1.") {
		t.Errorf("--version: exit %d, %q", res.code, res.stdout)
	}
	help := ghostrnn(t, nil, "denoise", "--help")
	if !strings.Contains(help.stdout, "Examples:") || !strings.Contains(help.stdout, "ghostrnn denoise talk.wav") {
		t.Errorf("denoise --help has no examples: %q", help.stdout)
	}
}

// TestDenoiseGlobStar: ** matches at any depth, and --out-dir mirrors the
// tree below the pattern's fixed part.
func TestDenoiseGlobStar(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for _, p := range []string{"a.flac", "x/b.flac", "x/y/c.flac", "x/y/d.wav"} {
		os.MkdirAll(filepath.Dir(filepath.Join(src, p)), 0o755)
		writeWAV(t, filepath.Join(src, p), pcm16, voiced(2000, 16000, 1)) // WAV data: the name is what the glob sees
	}
	res := ghostrnn(t, nil, "denoise", "-q", "--format", "wav", filepath.Join(src, "**", "*.flac"), "--out-dir", dst)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	got := strings.Join(listTree(t, dst), " ")
	if want := "a_denoised.wav x/b_denoised.wav x/y/c_denoised.wav"; got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
	if res := ghostrnn(t, nil, "denoise", "-q", filepath.Join(src, "**", "*.opus")); res.code == 0 || !strings.Contains(res.stderr, "no audio file matches") {
		t.Errorf("a pattern matching nothing: exit %d, %q", res.code, res.stderr)
	}
}

// TestDenoiseDiskFull: a full disk while writing WAV or FLAC gives one plain
// line (no encoder colours or package paths) and leaves no file: on
// /dev/full, and, where a small tmpfs can be mounted (root), on a real
// filesystem that fills up.
func TestDenoiseDiskFull(t *testing.T) {
	long := filepath.Join(t.TempDir(), "long.wav")
	writeWAV(t, long, pcm16, voiced(16000*20, 16000, 1)) // 640 kB of output
	check := func(t *testing.T, res result) {
		t.Helper()
		msg := strings.TrimSpace(res.stderr)
		if res.code != 1 || !strings.Contains(msg, "no space left on device") || strings.Contains(msg, "\n") ||
			strings.ContainsAny(msg, "\x1b") || strings.Contains(msg, "github.com") {
			t.Errorf("exit %d, %q; want 1 and one plain line", res.code, msg)
		}
	}
	for _, format := range []string{"wav", "flac"} {
		t.Run("dev full "+format, func(t *testing.T) {
			if _, err := os.Stat("/dev/full"); err != nil {
				t.Skip("no /dev/full")
			}
			check(t, ghostrnn(t, nil, "denoise", "-q", "--format", format, long, "-o", "/dev/full"))
		})
	}
	t.Run("tmpfs", func(t *testing.T) {
		mnt := t.TempDir()
		if os.Geteuid() != 0 {
			t.Skip("mounting a tmpfs needs root")
		}
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", mnt).CombinedOutput(); err != nil {
			t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
		}
		defer exec.Command("umount", mnt).Run()
		for _, ext := range []string{"wav", "flac"} {
			check(t, ghostrnn(t, nil, "denoise", "-q", long, "-o", filepath.Join(mnt, "out."+ext)))
		}
		if n := entries(t, mnt); len(n) != 0 {
			t.Errorf("left on the full filesystem: %v", n)
		}
	})
}
