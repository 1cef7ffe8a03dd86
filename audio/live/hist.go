package live

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histSub is the number of buckets per octave: durations are kept to about
// 1/histSub (3 %) relative precision.
const histSub = 32

// histBuckets covers every int64 nanosecond duration.
const histBuckets = 64 * histSub

// Histogram counts durations in log-linear buckets. Record is lock-free and
// allocation-free, for the audio thread; Snapshot may run concurrently on
// another goroutine.
type Histogram struct {
	counts [histBuckets]atomic.Uint64
	max    atomic.Int64
	sum    atomic.Int64
	n      atomic.Int64
}

// bucket returns the bucket of a duration of v ns.
func bucket(v uint64) int {
	if v < 2*histSub {
		return int(v)
	}
	shift := bits.Len64(v) - 6 // v>>shift is in [32, 64)
	return shift*histSub + int(v>>shift)
}

// bucketMid returns the middle of bucket i, in ns.
func bucketMid(i int) float64 {
	if i < 2*histSub {
		return float64(i)
	}
	shift := i/histSub - 1
	lo := uint64(i%histSub+histSub) << shift
	return float64(lo) + float64(uint64(1)<<shift)/2
}

// Record adds one duration.
func (h *Histogram) Record(d time.Duration) {
	v := max(int64(d), 0)
	h.counts[bucket(uint64(v))].Add(1)
	h.sum.Add(v)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			break
		}
	}
}

// Snapshot copies the histogram's current counts.
func (h *Histogram) Snapshot() HistSnapshot {
	var s HistSnapshot
	for i := range h.counts {
		s.Counts[i] = h.counts[i].Load()
	}
	s.Max = time.Duration(h.max.Load())
	s.Sum = time.Duration(h.sum.Load())
	s.N = h.n.Load()
	return s
}

// HistSnapshot is a copy of a Histogram at one moment.
type HistSnapshot struct {
	Counts [histBuckets]uint64
	Max    time.Duration // largest duration ever recorded (not reduced by Sub)
	Sum    time.Duration // total of the durations
	N      int64         // number of durations
}

// Sub returns the durations recorded between prev and s (Max stays s's).
func (s *HistSnapshot) Sub(prev *HistSnapshot) HistSnapshot {
	d := *s
	for i := range d.Counts {
		d.Counts[i] -= prev.Counts[i]
	}
	d.Sum -= prev.Sum
	d.N -= prev.N
	return d
}

// Quantile returns the q-quantile (0 … 1) of the durations, to the bucket
// precision and never above Max; 0 when empty.
func (s *HistSnapshot) Quantile(q float64) time.Duration {
	var total uint64
	for _, c := range s.Counts {
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := uint64(q*float64(total-1)) + 1
	var seen uint64
	for i, c := range s.Counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(bucketMid(i)), s.Max)
		}
	}
	return s.Max
}

// Mean returns the mean duration, 0 when empty.
func (s *HistSnapshot) Mean() time.Duration {
	if s.N == 0 {
		return 0
	}
	return s.Sum / time.Duration(s.N)
}
