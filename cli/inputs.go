package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// audioExts are the file extensions a directory walk picks up.
var audioExts = map[string]bool{".wav": true, ".wave": true, ".flac": true, ".mp3": true}

// input is one file to process: its path and its path relative to the
// argument it came from (a directory keeps its tree under --out-dir).
type input struct {
	path string // file path, or "-" for stdin
	rel  string // relative output location, e.g. "sub/a.wav"
}

// expandInputs turns command-line arguments (files, directories, globs, "-")
// into files. Arguments that yield nothing are reported in errs.
func expandInputs(args []string) (ins []input, errs []error) {
	for _, a := range args {
		if a == "-" {
			ins = append(ins, input{path: "-", rel: "stdin.wav"})
			continue
		}
		st, err := os.Stat(a)
		if err != nil && strings.ContainsAny(a, "*?[") {
			matches, gerr := filepath.Glob(a)
			if gerr != nil {
				errs = append(errs, fmt.Errorf("%s: bad pattern: %v", a, gerr))
				continue
			}
			if len(matches) == 0 {
				errs = append(errs, fmt.Errorf("%s: no file matches the pattern", a))
				continue
			}
			sub, serrs := expandInputs(matches)
			ins, errs = append(ins, sub...), append(errs, serrs...)
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
		var found []input
		werr := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && audioExts[strings.ToLower(filepath.Ext(p))] && !strings.HasPrefix(d.Name(), ".") {
				rel, _ := filepath.Rel(a, p)
				found = append(found, input{path: p, rel: rel})
			}
			return nil
		})
		switch {
		case werr != nil:
			errs = append(errs, fmt.Errorf("%s: %v", a, werr))
		case len(found) == 0:
			errs = append(errs, fmt.Errorf("%s: directory has no audio files (wav, flac, mp3)", a))
		}
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		ins = append(ins, found...)
	}
	return ins, errs
}
