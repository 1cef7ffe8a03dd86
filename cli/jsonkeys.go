package cli

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// archJSON is enhancer.Arch with snake_case JSON keys, like the rest of
// `info --json` (enhancer.Arch has no JSON tags, so its Go field names,
// Kind or GhostAct, would show).
type archJSON enhancer.Arch

// MarshalJSON implements json.Marshaler.
func (a archJSON) MarshalJSON() ([]byte, error) {
	return snakeJSON(enhancer.Arch(a))
}

// snakeJSON marshals v with every object key in snake_case: "GhostAct"
// becomes "ghost_act", "MACsPerFrame" "macs_per_frame"; keys already in
// snake_case stay.
func snakeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, err
	}
	return json.Marshal(snakeKeys(x))
}

// snakeKeys renames the keys of the objects in x, recursively.
func snakeKeys(x any) any {
	switch x := x.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, v := range x {
			m[snakeCase(k)] = snakeKeys(v)
		}
		return m
	case []any:
		for i, v := range x {
			x[i] = snakeKeys(v)
		}
	}
	return x
}

// snakeCase puts an underscore where a lower-case letter or digit meets an
// upper-case one, and lowers everything.
func snakeCase(s string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
		prev = r
	}
	return b.String()
}
