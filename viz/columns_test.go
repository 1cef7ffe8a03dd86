package viz

import (
	"math"
	"runtime"
	"strings"
	"testing"
)

// value is bin b of frame t in checkColumns: exact in float32, and not
// monotonic, so that a max is a max.
func value(t int64, b int) float32 { return float32(t*7919%1000) + float32(b)/8 }

// checkColumns adds frames of value(t, b) and checks that at most maxCols
// columns are ever held, that they cover every frame, and that each cell is
// the max (or mean) of its frames and bins.
func checkColumns(t *testing.T, reduce Reduce, frames, expected int64, bins, maxCols, maxRows int) *Columns {
	t.Helper()
	c, err := NewColumns(bins, maxCols, maxRows, reduce, expected)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]float32, bins)
	for i := int64(0); i < frames; i++ {
		for b := range frame {
			frame[b] = value(i, b)
		}
		c.Add(frame)
		if c.Held() > maxCols {
			t.Fatalf("%d columns held after %d frames, max %d", c.Held(), i+1, maxCols)
		}
	}
	p := c.Panel("x", "dB", 0.016, 31.25)
	P := c.PerColumn()
	if int64(len(p.Z)) != (frames+P-1)/P {
		t.Fatalf("%d columns of %d frames for %d frames", len(p.Z), P, frames)
	}
	if math.Abs(p.FrameSec-0.016*float64(P)) > 1e-12 {
		t.Errorf("FrameSec %g, want %g", p.FrameSec, 0.016*float64(P))
	}
	bpr := (bins + maxRows - 1) / maxRows
	for col, z := range p.Z {
		lo, hi := int64(col)*P, min(int64(col+1)*P, frames)
		for r, v := range z {
			want, n := math.Inf(-1), 0.0
			if reduce == Mean {
				want = 0
			}
			for i := lo; i < hi; i++ {
				for b := r * bpr; b < min((r+1)*bpr, bins); b++ {
					if reduce == Max {
						want = math.Max(want, float64(value(i, b)))
					} else {
						want += float64(value(i, b))
						n++
					}
				}
			}
			if reduce == Mean {
				want /= n
			}
			if math.Abs(v-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Fatalf("%v: column %d row %d = %g, want %g (frames %d–%d)", reduce, col, r, v, want, lo, hi-1)
			}
		}
	}
	return c
}

// TestColumns: any number of frames, known in advance or not, ends in at
// most maxCols columns that cover all of them, each the max or mean of its
// frames (and of the bins pooled in a row).
func TestColumns(t *testing.T) {
	for _, reduce := range []Reduce{Max, Mean} {
		for _, n := range []int64{1, 7, 100, 101, 1000, 12345, 250000} {
			c := checkColumns(t, reduce, n, 0, 10, 100, 4)
			if n > 100 && c.Held() < 50 {
				t.Errorf("%v, %d frames of unknown length: %d columns held, want ≥ 50", reduce, n, c.Held())
			}
			// Known length: one column width from the start, no merging.
			c = checkColumns(t, reduce, n, n, 10, 101, 10)
			if want := (n + 100) / 101; c.PerColumn() != max(want, 1) {
				t.Errorf("%v, %d frames known: %d frames per column, want %d", reduce, n, c.PerColumn(), want)
			}
			checkColumns(t, reduce, n, 0, 10, 33, 4) // odd: a partial column after merging
			// A length announced wrongly still ends covered.
			checkColumns(t, reduce, n, n/3+1, 10, 64, 3)
		}
	}
}

// TestColumnsAddAllocs: Add allocates nothing.
func TestColumnsAddAllocs(t *testing.T) {
	c, _ := NewColumns(257, 64, 100, Max, 0)
	frame := make([]float32, 257)
	if a := testing.AllocsPerRun(10000, func() { c.Add(frame) }); a != 0 {
		t.Errorf("Add allocates %v times", a)
	}
}

// TestSpectrogramStreamBounded streams an hour of audio (4 kHz, generated
// chunk by chunk) into a spectrogram: it holds at most MaxColumns columns,
// the picture covers the whole hour and says its time resolution, and the
// memory the stream retains is far below what the hour's samples (57 MB
// as float32) or frames (58 MB of float64 spectra) would take.
func TestSpectrogramStreamBounded(t *testing.T) {
	const rate, sec = 4000, 3600
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := NewSpectrogramStream(rate, -1) // length unknown, as on a pipe
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]float32, 4000)
	var seed uint32 = 1
	for i := 0; i < sec*rate/len(chunk); i++ {
		for j := range chunk {
			seed = seed*1664525 + 1013904223
			chunk[j] = float32(int32(seed)) / (1 << 31) * 0.1
		}
		s.Write(chunk)
		if s.Columns().Held() > MaxColumns {
			t.Fatalf("%d columns held after %d s", s.Columns().Held(), i+1)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	retained := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if retained > 4<<20 {
		t.Errorf("the stream retains %.1f MB after an hour, want < 4 MB", float64(retained)/(1<<20))
	}
	p, err := s.Panel("hour")
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(s)
	shown := float64(len(p.Z)) * p.FrameSec
	if len(p.Z) > MaxColumns || len(p.Z) < MaxColumns/2 || shown < sec || shown > sec+p.FrameSec {
		t.Errorf("%d columns of %.3f s show %.1f s of %d s", len(p.Z), p.FrameSec, shown, sec)
	}
	if !strings.HasPrefix(p.Resolution, "1 column = ") || !strings.Contains(p.Resolution, "max over") {
		t.Errorf("Resolution %q does not say what a column is", p.Resolution)
	}
	t.Logf("%d columns, %s; retained %.2f MB", len(p.Z), p.Resolution, float64(retained)/(1<<20))
}
