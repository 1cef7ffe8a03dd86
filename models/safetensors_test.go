package models

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

func testModel(t *testing.T, a enhancer.Arch) *enhancer.Model {
	m, err := enhancer.NewModel(a)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(rand.New(rand.NewSource(1)))
	m.GainFloor = 0.0316
	m.Meta["recipe"] = "test"
	return m
}

func TestSaveLoadRoundTrip(t *testing.T) {
	other := enhancer.DefaultArch
	other.Features, other.Lookahead, other.Skip = 64, 2, 3
	noSkip := enhancer.TwinArch
	noSkip.Skip = 0
	for _, a := range []enhancer.Arch{enhancer.DefaultArch, enhancer.TwinArch, other, noSkip} {
		m := testModel(t, a)
		path := filepath.Join(t.TempDir(), "m.safetensors")
		if err := Save(path, m); err != nil {
			t.Fatal(err)
		}
		got, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if got.Arch != m.Arch || got.GainFloor != m.GainFloor || got.Meta["recipe"] != "test" {
			t.Fatalf("round trip: arch %+v floor %v meta %v", got.Arch, got.GainFloor, got.Meta)
		}
		for name, w := range m.Weights {
			g := got.Weights[name]
			for i := range w {
				if math.Float32bits(w[i]) != math.Float32bits(g[i]) {
					t.Fatalf("%s[%d] = %v, want %v", name, i, g[i], w[i])
				}
			}
		}
	}
}

// rewrite decodes the header of a valid file, lets edit change it, and
// re-encodes the file with the same data section.
func rewrite(t *testing.T, b []byte, edit func(h map[string]any)) []byte {
	n := binary.LittleEndian.Uint64(b)
	var h map[string]any
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	hb, _ := json.Marshal(h)
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hb)))
	out = append(out, hb...)
	return append(out, b[8+n:]...)
}

// TestOldFilesLoad: files written before look-ahead and the feature skip
// existed have no lookahead or skip key, no skip tensor and the feature set's
// old name; they load, with neither.
func TestOldFilesLoad(t *testing.T) {
	a := enhancer.DefaultArch
	a.Lookahead, a.Skip = 1, 0
	b, err := Encode(testModel(t, a))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(rewrite(t, b, func(h map[string]any) {
		md := h["__metadata__"].(map[string]any)
		delete(md, "lookahead")
		delete(md, "skip")
		md["feature_set"] = "erb64-meannorm"
	}))
	if err != nil {
		t.Fatal(err)
	}
	if m.Arch.Lookahead != 0 || m.Arch.Skip != 0 {
		t.Errorf("look-ahead %d, skip %d, want 0 and 0", m.Arch.Lookahead, m.Arch.Skip)
	}
}

func TestBadFiles(t *testing.T) {
	good, err := Encode(testModel(t, enhancer.DefaultArch))
	if err != nil {
		t.Fatal(err)
	}
	a := enhancer.DefaultArch
	a.Skip = 0
	noSkip, err := Encode(testModel(t, a))
	if err != nil {
		t.Fatal(err)
	}
	nan := append([]byte(nil), good...)
	// The last 4 bytes are the last value of some tensor: make them NaN.
	binary.LittleEndian.PutUint32(nan[len(nan)-4:], math.Float32bits(float32(math.NaN())))
	meta := func(k, v string) func(h map[string]any) {
		return func(h map[string]any) { h["__metadata__"].(map[string]any)[k] = v }
	}
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"empty", "empty model file", nil},
		{"tiny", "truncated", good[:5]},
		{"truncated header", "truncated", good[:40]},
		{"truncated data", "corrupt", good[:len(good)-100]},
		{"corrupt header", "corrupt", append(append([]byte(nil), good[:8]...), strings.Repeat("x", len(good)-8)...)},
		{"not ghostrnn", "not a ghostrnn model", rewrite(t, good, meta("format", "other"))},
		{"unknown arch", "unknown architecture", rewrite(t, good, meta("arch", "lstm"))},
		{"bad size", "not an integer", rewrite(t, good, meta("hidden", "big"))},
		{"bad look-ahead", "look-ahead", rewrite(t, good, meta("lookahead", "-1"))},
		{"bad skip", "feature skip", rewrite(t, good, meta("skip", "99"))},
		{"skip not a number", "not an integer", rewrite(t, good, meta("skip", "wide"))},
		{"skip without its tensor", "skip.weight", rewrite(t, noSkip, meta("skip", "1"))},
		{"skip claimed off, tensor there", "skip.weight", rewrite(t, good, meta("skip", "0"))},
		{"unknown features", "unsupported feature set", rewrite(t, good, meta("feature_set", "mfcc"))},
		{"wrong shape", "has shape", rewrite(t, good, func(h map[string]any) {
			h["in.bias"].(map[string]any)["shape"] = []any{64, 2}
		})},
		{"missing tensor", "missing tensor out.bias", rewrite(t, good, func(h map[string]any) {
			h["zz.unused"] = h["out.bias"]
			delete(h, "out.bias")
		})},
		{"wrong dtype", "dtype", rewrite(t, good, func(h map[string]any) {
			h["in.bias"].(map[string]any)["dtype"] = "I32"
		})},
		{"non-finite", "non-finite", nan},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.safetensors")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("loaded a bad file")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q should name the file and say %q", err, tc.want)
			}
		})
	}
}
