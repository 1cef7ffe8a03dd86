package cli_test

import (
	"encoding/json"
	"regexp"
	"testing"
)

// TestInfoJSONSnakeCase: every key of `info --json`, nested ones included,
// is snake_case (issue 15: Kind and Features showed in CamelCase).
func TestInfoJSONSnakeCase(t *testing.T) {
	res := ghostrnn(t, nil, "info", "--json")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var x any
	if err := json.Unmarshal([]byte(res.stdout), &x); err != nil {
		t.Fatal(err)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	var walk func(path string, x any)
	walk = func(path string, x any) {
		m, ok := x.(map[string]any)
		if !ok {
			return
		}
		for k, v := range m {
			if path != ".meta" && !snake.MatchString(k) {
				t.Errorf("key %s.%s is not snake_case", path, k)
			}
			walk(path+"."+k, v)
		}
	}
	walk("", x)
	arch, _ := x.(map[string]any)["arch"].(map[string]any)
	for _, k := range []string{"kind", "features", "ghost_act", "lookahead"} {
		if _, ok := arch[k]; !ok {
			t.Errorf("arch has no %q: %v", k, arch)
		}
	}
}
