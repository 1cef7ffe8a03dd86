package cli

import (
	"slices"
	"testing"

	"github.com/ghostrnn/ghostrnn/models"
)

// TestInfoNativeRates: ghostrnn info lists 44.1 and 48 kHz among the rates
// that run natively, and 8, 11.025 and 22.05 kHz among the resampled ones.
func TestInfoNativeRates(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	info := describeModel(m)
	for _, r := range []int{16000, 32000, 44100, 48000, 96000} {
		if !slices.Contains(info.NativeRates, r) {
			t.Errorf("%d Hz not in native rates %v", r, info.NativeRates)
		}
	}
	for _, r := range []int{8000, 11025, 22050} {
		if !slices.Contains(info.ResampledRates, r) || slices.Contains(info.NativeRates, r) {
			t.Errorf("%d Hz: want it resampled (native %v, resampled %v)", r, info.NativeRates, info.ResampledRates)
		}
	}
}
