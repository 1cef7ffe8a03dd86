// Package atomicfile writes files so that readers see either the old file or
// the complete new one, never a partial write: the data goes to a temp file
// in the target folder, which is renamed over the target on success.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write creates path with mode 0644 from what write puts into w. On any
// error the temp file is removed and path is left as it was.
func Write(path string, write func(w io.Writer) error) (err error) {
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
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
