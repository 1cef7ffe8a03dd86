package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

// measurement returns the model files listed in $env, space-separated and
// relative to the repository root unless absolute (load them with
// loadMeasured), and the corpus in ../shared/data; it skips the test when
// either is missing. The tests that call it measure models rather than check
// them.
func measurement(t *testing.T, env string) ([]string, *Corpus) {
	t.Helper()
	paths := strings.Fields(os.Getenv(env))
	if len(paths) == 0 {
		t.Skipf("set %s to the model files to measure", env)
	}
	data := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "MANIFEST.tsv")); err != nil {
		t.Skipf("no corpus at %s: %v", data, err)
	}
	c, err := LoadCorpus(CorpusConfig{Data: data}, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	return paths, c
}

// loadMeasured loads a model file named as measurement returned it.
func loadMeasured(t *testing.T, name string) *enhancer.Model {
	t.Helper()
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join("..", p) // the test runs in train/
	}
	m, err := models.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
