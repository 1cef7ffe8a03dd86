package live

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// module is this repository's module path.
const module = "github.com/ghostrnn/ghostrnn"

// TestAudioNeverImportsEnhancer checks the package rule of docs/DESIGN.md
// that `go list -deps ./audio/...` shows: no package under audio/ depends,
// directly or through another package of the module, on the enhancer or on
// anything above it (models, train, cli). The processor reaches live as an
// interface; the CLI wires the enhancer in.
func TestAudioNeverImportsEnhancer(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"enhancer", "models", "train", "cli"}
	var starts []string
	filepath.WalkDir(filepath.Join(root, "audio"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if _, err := build.ImportDir(path, 0); err == nil {
			rel, _ := filepath.Rel(root, path)
			starts = append(starts, filepath.ToSlash(rel))
		}
		return nil
	})
	if len(starts) < 3 {
		t.Fatalf("found only the packages %v under audio/", starts)
	}
	// via[p] is the package that first imported p (p itself for a start).
	via := map[string]string{}
	queue := append([]string(nil), starts...)
	for _, s := range starts {
		via[s] = s
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		pkg, err := build.ImportDir(filepath.Join(root, filepath.FromSlash(p)), 0)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, imp := range pkg.Imports {
			rel, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue
			}
			if _, seen := via[rel]; seen {
				continue
			}
			via[rel] = p
			queue = append(queue, rel)
		}
	}
	for dep := range via {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				chain := []string{dep}
				for p := dep; via[p] != p; p = via[p] {
					chain = append(chain, via[p])
				}
				for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
					chain[i], chain[j] = chain[j], chain[i]
				}
				t.Errorf("%s must not depend on %s: %s", chain[0], f, strings.Join(chain, " → "))
			}
		}
	}
	if _, err := os.Stat(filepath.Join(root, "enhancer")); err != nil {
		t.Fatalf("no enhancer package at %s: the check would prove nothing", root)
	}
}
