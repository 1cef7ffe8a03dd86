package audio

import (
	"encoding/binary"
	"io"
	"math"
	"runtime"
	"testing"
	"time"
)

// synthWAV is an io.Reader producing a 16-bit mono WAV stream of the given
// length on the fly, so that hours of audio never touch memory or disk.
type synthWAV struct {
	hdr     []byte
	period  []byte // one second of samples, repeated
	left    int64  // sample bytes still to produce
	periodP int
}

func newSynthWAV(rate int, d time.Duration) *synthWAV {
	frames := int64(d.Seconds() * float64(rate))
	hdr := wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 1, uint32(rate), 16)), ck("data", nil))
	binary.LittleEndian.PutUint32(hdr[len(hdr)-4:], uint32(2*frames))
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(hdr)-8+int(2*frames)))
	period := make([]byte, 2*rate)
	for i := 0; i < rate; i++ {
		binary.LittleEndian.PutUint16(period[2*i:], uint16(int16(16000*math.Sin(2*math.Pi*440*float64(i)/float64(rate)))))
	}
	return &synthWAV{hdr: hdr, period: period, left: 2 * frames}
}

func (s *synthWAV) Read(p []byte) (int, error) {
	if len(s.hdr) > 0 {
		n := copy(p, s.hdr)
		s.hdr = s.hdr[n:]
		return n, nil
	}
	if s.left == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(int64(len(p)), s.left)], s.period[s.periodP:])
	s.periodP = (s.periodP + n) % len(s.period)
	s.left -= int64(n)
	return n, nil
}

// memUse streams a synthetic WAV of length d through NewReader and returns
// the bytes allocated while reading and the peak heap in use above the
// starting point (sampled every 1 M samples).
func memUse(t *testing.T, d time.Duration) (alloc, peak uint64, frames int64) {
	const rate = 48000
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	start, base := ms.TotalAlloc, ms.HeapInuse
	r, err := NewReader(newSynthWAV(rate, d), "-")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]float32, 4800)
	var next int64
	for {
		n, err := r.Read(buf)
		frames += int64(n)
		if frames >= next {
			next += 1 << 20
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > base {
				peak = max(peak, ms.HeapInuse-base)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc - start, peak, frames
}

// TestMemoryFlat reads 1 minute and 60 minutes of 48 kHz 16-bit WAV from a
// stream: allocation must not grow with the length and the heap must stay
// within a few MB.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 60 minutes of audio (~1 s)")
	}
	a1, p1, f1 := memUse(t, time.Minute)
	a60, p60, f60 := memUse(t, time.Hour)
	t.Logf("1 min: %d frames, %d KiB allocated, peak heap +%d KiB", f1, a1>>10, p1>>10)
	t.Logf("60 min: %d frames, %d KiB allocated, peak heap +%d KiB", f60, a60>>10, p60>>10)
	if f60 != 60*60*48000 || f1 != 60*48000 {
		t.Fatalf("read %d and %d frames", f1, f60)
	}
	if a60 > a1+256<<10 {
		t.Errorf("allocation grows with length: %d KiB for 1 min, %d KiB for 60 min", a1>>10, a60>>10)
	}
	if p60 > 4<<20 || a60 > 4<<20 {
		t.Errorf("60 min: %d KiB allocated, peak heap +%d KiB; want under 4 MiB", a60>>10, p60>>10)
	}
}

// BenchmarkReadWAV16 measures decoding of a 16-bit mono stream.
func BenchmarkReadWAV16(b *testing.B) {
	buf := make([]float32, 4800)
	b.SetBytes(2 * 48000 * 10)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r, err := NewReader(newSynthWAV(48000, 10*time.Second), "-")
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Read(buf); err != nil {
				break
			}
		}
	}
}
