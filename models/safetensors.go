// Package models reads and writes ghostrnn model files and holds the
// embedded default model.
//
// A model file is safetensors (an 8-byte little-endian header length, a JSON
// header naming each tensor's dtype, shape and byte range, then the raw
// little-endian data) with F32 tensors named as enhancer.Arch.Tensors lists
// them and string metadata describing the architecture:
//
//	format=ghostrnn version=1 arch=ghostgru|gru features hidden layers ratio
//	bins ghost_activation sample_rate window hop feature_set gain_floor
//	lookahead (frames; 0 when absent) skip (feature skip half-width; 0 when
//	absent) …
//
// Files of the v2 graph (enhancer.GraphV2) say version=2 graph=v2 and
// channels (the head's width) and, with a deep filter, df (its bins) besides.
//
// Loading checks every tensor's name, dtype, shape and finiteness against the
// architecture the metadata declares.
package models

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/nlpodyssey/safetensors"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/internal/atomicfile"
)

// Format and Version identify ghostrnn model files.
const (
	Format     = "ghostrnn"
	Version    = "1"
	VersionV2  = "2"            // files of the v2 graph (metadata graph=v2, channels)
	FeatureSet = "erb-meannorm" // the features of dsp.Featurizer; the band count is "features"
	// legacyFeatureSet is FeatureSet's name in files written when every
	// model had 64 bands; the features are the same.
	legacyFeatureSet = "erb64-meannorm"
)

// MaxFileSize bounds what Decode accepts, far above any sane model.
const MaxFileSize = 256 << 20

// Encode serialises m as safetensors with its metadata.
func Encode(m *enhancer.Model) ([]byte, error) {
	if err := m.Arch.Validate(); err != nil {
		return nil, err
	}
	meta := map[string]string{}
	for k, v := range m.Meta {
		meta[k] = v
	}
	a := m.Arch
	for k, v := range map[string]string{
		"format": Format, "version": Version, "arch": a.Kind,
		"features": strconv.Itoa(a.Features), "hidden": strconv.Itoa(a.Hidden),
		"layers": strconv.Itoa(a.Layers), "ratio": strconv.Itoa(a.Ratio),
		"bins": strconv.Itoa(a.Bins), "ghost_activation": a.GhostAct,
		"sample_rate": strconv.Itoa(a.Rate), "window": strconv.Itoa(a.Window),
		"hop": strconv.Itoa(a.Hop), "feature_set": FeatureSet,
		"gain_floor": strconv.FormatFloat(float64(m.GainFloor), 'g', -1, 32),
		"params":     strconv.Itoa(a.Params()),
		"lookahead":  strconv.Itoa(a.Lookahead),
		"skip":       strconv.Itoa(a.Skip),
	} {
		meta[k] = v
	}
	if a.Graph == enhancer.GraphV2 {
		meta["version"], meta["graph"], meta["channels"] = VersionV2, a.Graph, strconv.Itoa(a.Channels)
		if a.DF > 0 {
			meta["df"] = strconv.Itoa(a.DF)
		}
	}
	views := map[string]safetensors.TensorView{}
	for _, t := range a.Tensors() {
		w := m.Weights[t.Name]
		if len(w) != t.Size() {
			return nil, fmt.Errorf("tensor %s has %d values, want %d", t.Name, len(w), t.Size())
		}
		buf := make([]byte, 4*len(w))
		for i, v := range w {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		shape := make([]uint64, len(t.Shape))
		for i, d := range t.Shape {
			shape[i] = uint64(d)
		}
		v, err := safetensors.NewTensorView(safetensors.F32, shape, buf)
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %v", t.Name, err)
		}
		views[t.Name] = v
	}
	return safetensors.Serialize(views, meta)
}

// Save writes m to path atomically (a temp file in the same folder, renamed).
func Save(path string, m *enhancer.Model) error {
	b, err := Encode(m)
	if err == nil {
		err = atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err })
	}
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

// Load reads and checks the model file at path. Errors name the file.
func Load(path string) (*enhancer.Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is too large for a model file", path, st.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return m, nil
}

// Decode parses and checks a model file held in memory.
func Decode(b []byte) (*enhancer.Model, error) {
	if len(b) == 0 {
		return nil, errors.New("empty model file")
	}
	if len(b) < 8 {
		return nil, fmt.Errorf("truncated model file: %d bytes, no safetensors header", len(b))
	}
	if n := binary.LittleEndian.Uint64(b); n > uint64(len(b)-8) {
		return nil, fmt.Errorf("truncated or corrupt model file: header claims %d bytes, file has %d after the length", n, len(b)-8)
	}
	st, err := safetensors.Deserialize(b)
	if err != nil {
		return nil, fmt.Errorf("corrupt safetensors file: %v", err)
	}
	_, md, err := safetensors.ReadMetadata(b)
	if err != nil {
		return nil, fmt.Errorf("corrupt safetensors header: %v", err)
	}
	meta := md.Metadata()
	if meta["format"] != Format {
		return nil, fmt.Errorf("not a ghostrnn model (metadata format=%q)", meta["format"])
	}
	if v := meta["version"]; v != Version && !(v == VersionV2 && meta["graph"] == enhancer.GraphV2) {
		return nil, fmt.Errorf("unsupported model version %q (want %s, or %s with graph=%s)", meta["version"], Version, VersionV2, enhancer.GraphV2)
	}
	if fs := meta["feature_set"]; fs != FeatureSet && fs != legacyFeatureSet {
		return nil, fmt.Errorf("unsupported feature set %q (want %s)", fs, FeatureSet)
	}
	a, err := archFromMeta(meta)
	if err != nil {
		return nil, err
	}
	m, err := enhancer.NewModel(a)
	if err != nil {
		return nil, err
	}
	for k, v := range meta {
		m.Meta[k] = v
	}
	gf, err := strconv.ParseFloat(meta["gain_floor"], 32)
	if err != nil || gf < 0 || gf > 1 {
		return nil, fmt.Errorf("bad gain_floor %q", meta["gain_floor"])
	}
	m.GainFloor = float32(gf)
	if err := m.Validate(); err != nil {
		return nil, err
	}

	want := map[string]bool{}
	for _, t := range a.Tensors() {
		want[t.Name] = true
		tv, ok := st.Tensor(t.Name)
		if !ok {
			return nil, fmt.Errorf("missing tensor %s", t.Name)
		}
		if tv.DType() != safetensors.F32 {
			return nil, fmt.Errorf("tensor %s has dtype %s, want F32", t.Name, tv.DType())
		}
		if !sameShape(tv.Shape(), t.Shape) {
			return nil, fmt.Errorf("tensor %s has shape %v, want %v", t.Name, tv.Shape(), t.Shape)
		}
		data, w := tv.Data(), m.Weights[t.Name]
		for i := range w {
			v := math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("tensor %s holds a non-finite value %v at %d", t.Name, v, i)
			}
			w[i] = v
		}
	}
	for _, name := range st.Names() {
		if !want[name] {
			return nil, fmt.Errorf("unexpected tensor %s for architecture %s", name, a.Kind)
		}
	}
	return m, nil
}

func sameShape(got []uint64, want []int) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != uint64(want[i]) {
			return false
		}
	}
	return true
}

func archFromMeta(meta map[string]string) (enhancer.Arch, error) {
	a := enhancer.Arch{Kind: meta["arch"], GhostAct: meta["ghost_activation"], Framing: enhancer.DefaultFraming}
	a.Lookahead = 0
	if a.Kind != enhancer.KindGhost && a.Kind != enhancer.KindGRU {
		return a, fmt.Errorf("unknown architecture %q", a.Kind)
	}
	for key, dst := range map[string]*int{
		"features": &a.Features, "hidden": &a.Hidden, "layers": &a.Layers,
		"ratio": &a.Ratio, "bins": &a.Bins,
	} {
		v, err := strconv.Atoi(meta[key])
		if err != nil {
			return a, fmt.Errorf("metadata %s=%q is not an integer", key, meta[key])
		}
		*dst = v
	}
	// absent in files written before these fields existed: the default
	// framing with no look-ahead, no skip (and v1, no channels)
	if meta["version"] == VersionV2 {
		a.Graph = meta["graph"]
	}
	for key, dst := range map[string]*int{
		"sample_rate": &a.Rate, "window": &a.Window, "hop": &a.Hop,
		"lookahead": &a.Lookahead, "skip": &a.Skip, "channels": &a.Channels, "df": &a.DF,
	} {
		if v, ok := meta[key]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return a, fmt.Errorf("metadata %s=%q is not an integer", key, v)
			}
			*dst = n
		}
	}
	return a, a.Validate()
}
