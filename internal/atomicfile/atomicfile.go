// Package atomicfile writes files so that readers see either the old file or
// the complete new one, never a partial write.
//
// On Linux the data goes to an unnamed file in the target folder (O_TMPFILE),
// which gets its name with linkat(2) only once it is complete and synced: a
// process killed at any point (even by SIGKILL) leaves nothing behind. When
// the target exists already, the complete file is linked under a hidden temp
// name and renamed over it; only a kill between those two calls leaves that
// hidden file. Where the folder's filesystem has no O_TMPFILE (and on other
// systems) a hidden named temp file ".NAME.tmp-*" is written and renamed; it
// is removed on every error, but a killed process leaves it behind.
package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// errNoUnnamed is returned by openUnnamed where unnamed files are not
// available; Write then falls back to a named temp file.
var errNoUnnamed = errors.New("atomicfile: no unnamed temporary files here")

// Write creates path with mode 0644 from what write puts into w (an
// *os.File, so it can seek). On any error, path is left as it was and no
// temp file remains.
func Write(path string, write func(w io.Writer) error) error {
	f, err := openUnnamed(filepath.Dir(path), path)
	switch {
	case err == nil:
		return writeUnnamed(f, path, write)
	case !errors.Is(err, errNoUnnamed):
		return err
	}
	return writeNamed(path, write)
}

// writeUnnamed fills the unnamed file f and links it at path.
func writeUnnamed(f *os.File, path string, write func(w io.Writer) error) error {
	defer f.Close()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	// Synced before it gets a name: after a power loss, a file that exists
	// is complete.
	if err := f.Sync(); err != nil {
		return err
	}
	return linkUnnamed(f, path)
}

// writeNamed writes through a hidden temp file beside path, renamed on success.
func writeNamed(path string, write func(w io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
