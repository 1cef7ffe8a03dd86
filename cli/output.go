package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ghostrnn/ghostrnn/audio"
)

// outKind says how an output is written.
type outKind int

const (
	outCreate  outKind = iota // nothing there yet: written whole, atomically (internal/atomicfile)
	outStdout                 // "-": the run's stdout
	outReplace                // an existing regular file: replaced atomically, only with --force
	outDirect                 // a device, FIFO or socket, or /dev/stdout: written in place, never replaced
)

// classifyOutput says how path is written, and where: a symbolic link to a
// regular file is followed, so that the link stays and its target is
// replaced. /dev/stdout, /dev/fd/N and /proc/… name an open file of this
// process and are written in place whatever they point to.
func classifyOutput(path string) (outKind, string, error) {
	if path == "-" {
		return outStdout, path, nil
	}
	lst, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return outCreate, path, nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("cannot write output %s: %v", path, plainErr(err))
	}
	st, err := os.Stat(path)
	if err != nil { // a link to nothing yet: written through, like a shell's >
		return outDirect, path, nil
	}
	if st.IsDir() {
		return 0, "", fmt.Errorf("output %s is a folder: name a file, or use --out-dir %s", path, path)
	}
	if !st.Mode().IsRegular() {
		return outDirect, path, nil
	}
	if lst.Mode()&fs.ModeSymlink == 0 {
		return outReplace, path, nil
	}
	abs, _ := filepath.Abs(path)
	link, _ := os.Readlink(path)
	if strings.HasPrefix(link, "/proc/") || strings.HasPrefix(abs, "/proc/") || strings.HasPrefix(abs, "/dev/fd/") {
		return outDirect, path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return 0, "", fmt.Errorf("cannot write output %s: %v", path, plainErr(err))
	}
	return outReplace, target, nil
}

// openDirect opens an output that is written in place: a device or FIFO as
// it is, a regular file behind /dev/stdout truncated first.
func openDirect(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot write output %s: %v", path, plainErr(err))
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, fmt.Errorf("cannot write output %s: %v", path, plainErr(err))
		}
	}
	return f, nil
}

// plainErr strips the operation and path of a file system error, which the
// caller's message gives already: "no space left on device".
func plainErr(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

// outputPath places the output of in: beside it, or under outDir mirroring
// its relative path, with suffix and the extension of format.
func outputPath(in input, outDir, suffix, format string) (string, error) {
	if in.path == "-" {
		return "", fmt.Errorf("-: stdin needs -o FILE or -o -")
	}
	rel := in.rel
	base := strings.TrimSuffix(rel, filepath.Ext(rel)) + suffix + "." + format
	if outDir != "" {
		return filepath.Join(outDir, base), nil
	}
	return filepath.Join(filepath.Dir(in.path), filepath.Base(base)), nil
}

// unwritableExts are audio formats ghostrnn reads or knows but does not write.
var unwritableExts = map[string]bool{
	".mp3": true, ".ogg": true, ".oga": true, ".opus": true, ".m4a": true, ".aac": true, ".mp4": true,
	".wma": true, ".aif": true, ".aiff": true, ".aifc": true, ".caf": true, ".webm": true, ".mka": true,
	".ac3": true, ".amr": true, ".au": true, ".snd": true, ".alac": true, ".ape": true, ".wv": true,
}

// nameFormat is the format an output name asks for by its extension: "wav",
// "flac", or "" (no or an unknown extension, e.g. /dev/null). A known audio
// extension that ghostrnn cannot write is an error.
func nameFormat(name string) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case ext == ".wav" || ext == ".wave":
		return "wav", nil
	case ext == ".flac":
		return "flac", nil
	case ext == ".mp3":
		return "", fmt.Errorf("-o %s: MP3 output is not supported; write FLAC or WAV (-o %s.flac), or pipe WAV to ffmpeg: ghostrnn denoise IN -o - | ffmpeg -i - %s",
			name, strings.TrimSuffix(name, filepath.Ext(name)), name)
	case unwritableExts[ext]:
		return "", fmt.Errorf("-o %s: ghostrnn writes WAV or FLAC, not %s; write -o %s.flac, or pipe WAV to ffmpeg: ghostrnn denoise IN -o - | ffmpeg -i - %s",
			name, ext, strings.TrimSuffix(name, filepath.Ext(name)), name)
	}
	return "", nil
}

// outputFormat picks the format of in's output named out: the output name's
// extension (.wav or .flac), else --format, else flac for a .flac input and
// wav for others. -o - writes wav unless --format says flac.
func outputFormat(in, out, format string) (string, error) {
	byName := ""
	if out != "-" && out != "" {
		var err error
		if byName, err = nameFormat(out); err != nil {
			return "", err
		}
	}
	switch {
	case byName != "" && format != "" && byName != format:
		return "", fmt.Errorf("--format %s, but -o %s names a %s file", format, out, strings.ToUpper(byName))
	case byName != "":
		return byName, nil
	case format != "":
		return format, nil
	case out != "-" && strings.EqualFold(filepath.Ext(in), ".flac"):
		return "flac", nil
	}
	return "wav", nil
}

// outputEncoding picks the output sample format for format ("wav" or
// "flac"): --bits, or the input's. FLAC holds integers only: a float input
// becomes 24-bit, and --bits 32f is refused earlier (checkBits).
func outputEncoding(in audio.Format, bits, format string) (audio.Encoding, int) {
	switch bits {
	case "16":
		return audio.PCM16, 16
	case "24":
		return audio.PCM24, 24
	case "32f":
		return audio.Float32, 32
	}
	switch {
	case in.Encoding == audio.PCM24 || (in.Encoding == audio.FLAC && in.Bits > 16):
		return audio.PCM24, 24
	case in.Encoding == audio.PCM32 || in.Encoding == audio.Float32 || in.Encoding == audio.Float64:
		if format == "flac" {
			return audio.PCM24, 24
		}
		return audio.Float32, 32
	}
	return audio.PCM16, 16
}

// checkBits refuses a sample format the output format cannot hold.
func checkBits(bits, format string) error {
	if bits == "32f" && format == "flac" {
		return fmt.Errorf("--bits 32f cannot be written to FLAC (integers only): use --bits 24, or a WAV output")
	}
	return nil
}

// sameFile reports whether out would write over in.
func sameFile(in, out string) bool {
	if in == "-" || out == "-" {
		return false
	}
	a, _ := filepath.Abs(in)
	b, _ := filepath.Abs(out)
	si, e1 := os.Stat(in)
	so, e2 := os.Stat(out)
	return a == b || (e1 == nil && e2 == nil && os.SameFile(si, so))
}
