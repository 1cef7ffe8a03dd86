package live

import (
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/audio"
)

func TestRing(t *testing.T) {
	for _, tc := range []struct {
		name      string
		size      int
		writes    []int // sizes written in turn (each followed by a read of up to read samples)
		read      int
		wantCap   int
		wantDrops int64
	}{
		{"exact", 8, []int{8}, 8, 8, 0},
		{"rounded up", 5, []int{3, 3, 3}, 3, 8, 0},
		{"wraps", 16, []int{10, 10, 10, 10}, 12, 16, 0},
		{"full drops whole writes", 8, []int{6, 6, 2}, 0, 8, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := NewRing(tc.size)
			if q.Cap() != tc.wantCap {
				t.Fatalf("cap %d, want %d", q.Cap(), tc.wantCap)
			}
			var next, want float32
			buf := make([]float32, 64)
			for _, n := range tc.writes {
				p := make([]float32, n)
				for i := range p {
					p[i] = next + float32(i)
				}
				if q.Write(p) {
					next += float32(n)
				}
				k := q.Read(buf[:tc.read])
				for _, v := range buf[:k] {
					if v != want {
						t.Fatalf("read %v, want %v", v, want)
					}
					want++
				}
			}
			if q.Dropped() != tc.wantDrops {
				t.Errorf("dropped %d, want %d", q.Dropped(), tc.wantDrops)
			}
			if q.Len() != int(next-want) {
				t.Errorf("len %d, want %d", q.Len(), int(next-want))
			}
		})
	}
}

// TestRingConcurrent has a producer and a consumer run at once (see -race).
func TestRingConcurrent(t *testing.T) {
	q := NewRing(256)
	const n = 200000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p := make([]float32, 7)
		for i := 0; i < n; {
			for j := range p {
				p[j] = float32(i + j)
			}
			if q.Write(p) {
				i += len(p)
			}
		}
	}()
	buf := make([]float32, 50)
	for got := 0; got < n; {
		k := q.Read(buf)
		for _, v := range buf[:k] {
			if v != float32(got) {
				t.Fatalf("got %v, want %d", v, got)
			}
			got++
		}
	}
	wg.Wait()
}

func TestHistogram(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	s := h.Snapshot()
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.9, 900 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, time.Millisecond}} {
		if got := s.Quantile(tc.q); math.Abs(float64(got-tc.want)) > 0.04*float64(tc.want) {
			t.Errorf("q%v = %v, want %v ± 4%%", tc.q, got, tc.want)
		}
	}
	if s.Max != time.Millisecond || s.N != 1000 || s.Mean() != 500500*time.Nanosecond {
		t.Errorf("max %v, n %d, mean %v", s.Max, s.N, s.Mean())
	}
	prev := s
	h.Record(5 * time.Millisecond)
	s = h.Snapshot()
	d := s.Sub(&prev)
	if d.N != 1 || d.Quantile(0.5) < 4800*time.Microsecond {
		t.Errorf("since the snapshot: n %d, median %v", d.N, d.Quantile(0.5))
	}
	for v := uint64(0); v < 1<<40; v = v*3 + 1 {
		if m := bucketMid(bucket(v)); math.Abs(m-float64(v)) > 0.04*float64(v)+1 {
			t.Fatalf("bucket of %d has middle %v", v, m)
		}
	}
}

// TestRecorder writes from another goroutine while the recorder drains,
// and reads the WAV back; the recording's missing folders are created.
func TestRecorder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "folder", "rec.wav") // created as denoise does
	r, err := CreateRecorder(path, 16000, 2)
	if err != nil {
		t.Fatal(err)
	}
	x := signal(16000, 2, 11)
	done := make(chan struct{})
	go func() { // the audio thread
		defer close(done)
		for i := 0; i < len(x); i += 320 {
			for !r.Ring().Write(x[i : i+320]) {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	<-done
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if r.Frames() != 16000 {
		t.Errorf("%d frames written, want 16000", r.Frames())
	}
	rd, c, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if f := rd.Format(); f.SampleRate != 16000 || f.Channels != 2 || f.Encoding != audio.Float32 || rd.Frames() != 16000 {
		t.Fatalf("format %v, %d frames", f, rd.Frames())
	}
	buf := make([]float32, len(x)+2)
	n, _ := rd.Read(buf)
	for n < len(x) {
		k, err := rd.Read(buf[n:])
		n += k
		if err != nil {
			break
		}
	}
	for i := range x {
		if buf[i] != x[i] {
			t.Fatalf("sample %d = %v, want %v", i, buf[i], x[i])
		}
	}
}
