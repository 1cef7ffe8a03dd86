//go:build !nolive

package cli

import (
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/audio/live"
)

// TestRoundTripMessage: the round trip's one-line verdict for each outcome;
// a loop that only some probes found is not called "no loopback" with a
// best correlation above the threshold.
func TestRoundTripMessage(t *testing.T) {
	probes := func(found ...bool) []live.ProbeResult {
		var ps []live.ProbeResult
		for _, f := range found {
			c := 0.05
			if f {
				c = 1
			}
			ps = append(ps, live.ProbeResult{Found: f, Confidence: c})
		}
		return ps
	}
	for _, tc := range []struct {
		rt   roundTripJSON
		want string
	}{
		{roundTripJSON{Error: "no audio devices found"}, "round trip not measured: no audio devices found"},
		{roundTripJSON{Threshold: 0.3, RoundTrip: &live.RoundTrip{Found: true, DelayMs: 7.1, DelayFrames: 340.8, Confidence: 1, Probes: probes(true, true, true)}},
			"round trip 7.10 ms (340.8 frames), confidence 1.00"},
		{roundTripJSON{Threshold: 0.3, RoundTrip: &live.RoundTrip{Confidence: 1, Probes: probes(true, false, false)}},
			"no steady loopback path found: only 1 of 3 probes reached the correlation 0.30 (best 1.00)"},
		{roundTripJSON{Threshold: 0.3, RoundTrip: &live.RoundTrip{Confidence: 0.05, Probes: probes(false, false, false)}},
			"no loopback path found: best correlation 0.05 < 0.30"},
	} {
		if got := roundTripMessage(&tc.rt); !strings.HasPrefix(got, tc.want) {
			t.Errorf("got %q, want %q…", got, tc.want)
		}
	}
}
