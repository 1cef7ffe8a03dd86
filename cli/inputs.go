package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// audioExts are the file extensions a directory walk picks up.
var audioExts = map[string]bool{".wav": true, ".wave": true, ".flac": true, ".mp3": true}

// input is one file to process: its path and its path relative to the
// argument it came from (a directory keeps its tree under --out-dir).
type input struct {
	path  string // file path, or "-" for stdin
	rel   string // relative output location, e.g. "sub/a.wav"
	found bool   // found by walking a folder or matching a glob, not named
}

// expandInputs turns command-line arguments (files, directories, globs with
// * ? [ ] {a,b} and **, "-") into files. Arguments that yield nothing are
// reported in errs. A glob's matches keep their path below the pattern's
// fixed part (rel), as a folder's files do.
func expandInputs(args []string) (ins []input, errs []error) {
	for _, a := range args {
		if a == "-" {
			ins = append(ins, input{path: "-", rel: "stdin.wav"})
			continue
		}
		st, err := os.Stat(a)
		if err != nil && strings.ContainsAny(a, "*?[{") {
			sub, gerr := expandGlob(a)
			if gerr != nil {
				errs = append(errs, gerr)
			}
			ins = append(ins, sub...)
			continue
		}
		if err != nil {
			if os.IsNotExist(err) {
				err = fmt.Errorf("%s: no such file or directory", a)
			}
			errs = append(errs, err)
			continue
		}
		if !st.IsDir() {
			ins = append(ins, input{path: a, rel: filepath.Base(a)})
			continue
		}
		found, err := walkAudio(a)
		if err != nil {
			errs = append(errs, err)
		}
		ins = append(ins, found...)
	}
	return ins, errs
}

// expandGlob lists the audio files that pattern matches, walking matched folders.
func expandGlob(pattern string) ([]input, error) {
	matches, err := doublestar.FilepathGlob(pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: bad pattern: %v", pattern, err)
	}
	base, _ := doublestar.SplitPattern(filepath.ToSlash(filepath.Clean(pattern)))
	var ins []input
	for _, m := range matches {
		st, err := os.Stat(m)
		if err != nil {
			continue
		}
		if st.IsDir() {
			sub, _ := walkAudio(m)
			ins = append(ins, sub...)
			continue
		}
		if !st.Mode().IsRegular() || !audioExts[strings.ToLower(filepath.Ext(m))] {
			continue
		}
		rel, err := filepath.Rel(filepath.FromSlash(base), m)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = filepath.Base(m)
		}
		ins = append(ins, input{path: m, rel: rel, found: true})
	}
	if len(ins) == 0 {
		return nil, fmt.Errorf("%s: no audio file matches the pattern", pattern)
	}
	return ins, nil
}

// walkAudio lists the audio files under dir (not hidden ones), sorted.
func walkAudio(dir string) ([]input, error) {
	var found []input
	werr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && audioExts[strings.ToLower(filepath.Ext(p))] && !strings.HasPrefix(d.Name(), ".") {
			rel, _ := filepath.Rel(dir, p)
			found = append(found, input{path: p, rel: rel, found: true})
		}
		return nil
	})
	sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
	switch {
	case werr != nil:
		return found, fmt.Errorf("%s: %v", dir, werr)
	case len(found) == 0:
		return nil, fmt.Errorf("%s: directory has no audio files (wav, flac, mp3)", dir)
	}
	return found, nil
}
