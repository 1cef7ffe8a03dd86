package models

import (
	_ "embed"
	"fmt"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// defaultModel is ghostrnn.safetensors, the shipped GhostRNN model; see
// models/README.md for how it was trained and how well it does.
//
//go:embed ghostrnn.safetensors
var defaultModel []byte

// DefaultName names the embedded model in messages.
const DefaultName = "embedded ghostrnn.safetensors"

// Default returns a fresh copy of the embedded default model.
func Default() (*enhancer.Model, error) {
	m, err := Decode(defaultModel)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", DefaultName, err)
	}
	return m, nil
}

// Open returns the model at path, or the embedded default when path is "".
func Open(path string) (*enhancer.Model, error) {
	if path == "" {
		return Default()
	}
	return Load(path)
}
