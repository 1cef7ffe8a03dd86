package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range es {
		n = append(n, e.Name())
	}
	return n
}

// TestWrite: a failed write leaves the old file and no temp file; a good one
// replaces it, or creates it; with unnamed files (Linux) nothing of the new
// file is visible in the folder while it is written.
func TestWrite(t *testing.T) {
	for _, named := range []bool{false, true} {
		name := "unnamed"
		if named {
			name = "named fallback"
		}
		t.Run(name, func(t *testing.T) {
			if !named && runtime.GOOS != "linux" {
				t.Skip("unnamed temporary files are Linux only")
			}
			defer func(old bool) { unnamedOff = old }(unnamedOff)
			unnamedOff = named
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			os.WriteFile(p, []byte("old"), 0o644)
			if err := Write(p, func(w io.Writer) error { w.Write([]byte("par")); return errors.New("boom") }); err == nil {
				t.Fatal("want the writer's error")
			}
			if b, _ := os.ReadFile(p); string(b) != "old" {
				t.Fatalf("failed write changed the file to %q", b)
			}
			if n := names(t, dir); len(n) != 1 {
				t.Fatalf("temp files left: %v", n)
			}
			for _, target := range []string{p, filepath.Join(dir, "g")} {
				err := Write(target, func(w io.Writer) error {
					if n := names(t, dir); !named && len(n) != 1 {
						t.Errorf("while writing, the folder holds %v", n)
					}
					_, err := w.Write([]byte("new"))
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if b, _ := os.ReadFile(target); string(b) != "new" {
					t.Fatalf("%s holds %q, want new", target, b)
				}
				if st, _ := os.Stat(target); st.Mode().Perm() != 0o644 {
					t.Errorf("mode %v, want 0644", st.Mode())
				}
			}
			if n := names(t, dir); len(n) != 2 {
				t.Fatalf("folder holds %v, want f and g", n)
			}
		})
	}
}

// TestWriteMissingFolder: a folder that does not exist is an open error.
func TestWriteMissingFolder(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "f"), func(w io.Writer) error { return nil })
	var pe *os.PathError
	if !errors.As(err, &pe) || pe.Op != "open" {
		t.Fatalf("got %v, want an open error", err)
	}
}
