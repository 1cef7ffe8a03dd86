//go:build !nolive

package cli

import (
	"testing"

	"github.com/ghostrnn/ghostrnn/audio/live"
	"github.com/ghostrnn/ghostrnn/cli/liveproc"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

// TestLiveNativeDelay: live at 48 and 44.1 kHz with 10 ms device buffers
// runs the enhancer natively (hop = buffer, no resampler look-ahead), so its
// fixed delay is the engine's 20 ms with no FIFO on top (it was 34.25 ms at
// 48 kHz through the resamplers); at 22.05 kHz, which has no native grid, the
// resampled path and its FIFO remain.
func TestLiveNativeDelay(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rate   int
		native bool
	}{{48000, true}, {44100, true}, {22050, false}} {
		pipe, err := live.NewPipeline(live.PipelineConfig{Rate: tc.rate, InChannels: 1, FramesPerBuffer: tc.rate / 100,
			NewProcessor: func() (live.Processor, error) {
				s, err := enhancer.NewStream(m, enhancer.DefaultOptions, enhancer.StreamConfig{Rate: tc.rate, Channels: 1}, newResampler)
				if err != nil {
					return nil, err
				}
				return liveproc.New(s, nil), nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		ms := 1000 * float64(pipe.Latency()) / float64(tc.rate)
		if tc.native && (pipe.FIFOLatency() != 0 || ms != 20) {
			t.Errorf("%d Hz: delay %.2f ms with a FIFO of %d frames, want 20 ms and none", tc.rate, ms, pipe.FIFOLatency())
		}
		if !tc.native && ms <= 20 {
			t.Errorf("%d Hz (resampled): delay %.2f ms, want the resamplers' FIFO on top of 20 ms", tc.rate, ms)
		}
		t.Logf("%d Hz, %d-frame buffers: fixed delay %.2f ms (FIFO %d frames)", tc.rate, tc.rate/100, ms, pipe.FIFOLatency())
	}
}
