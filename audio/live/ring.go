package live

import (
	"math/bits"
	"sync/atomic"
)

// Ring is a lock-free single-producer single-consumer queue of samples. One
// goroutine (or the audio thread) may call Write while another calls Read;
// neither ever blocks or allocates.
type Ring struct {
	buf     []float32
	mask    uint64
	_       [64]byte // keep the producer's and consumer's indices on separate cache lines
	w       atomic.Uint64
	_       [56]byte
	r       atomic.Uint64
	_       [56]byte
	dropped atomic.Uint64
}

// NewRing returns a ring holding at least n samples (rounded up to a power of two).
func NewRing(n int) *Ring {
	size := uint64(1)
	if n > 1 {
		size = 1 << bits.Len64(uint64(n-1))
	}
	return &Ring{buf: make([]float32, size), mask: size - 1}
}

// Cap returns how many samples the ring holds.
func (q *Ring) Cap() int { return len(q.buf) }

// Len returns how many samples are waiting to be read.
func (q *Ring) Len() int { return int(q.w.Load() - q.r.Load()) }

// Write appends all of p, or nothing if it does not fit, in which case it
// counts len(p) dropped samples and returns false. Only one goroutine may write.
func (q *Ring) Write(p []float32) bool {
	w, r := q.w.Load(), q.r.Load()
	if uint64(len(p)) > uint64(len(q.buf))-(w-r) {
		q.dropped.Add(uint64(len(p)))
		return false
	}
	i := w & q.mask
	k := copy(q.buf[i:], p)
	copy(q.buf, p[k:])
	q.w.Store(w + uint64(len(p)))
	return true
}

// Read moves up to len(p) waiting samples into p and returns how many. Only
// one goroutine may read.
func (q *Ring) Read(p []float32) int {
	w, r := q.w.Load(), q.r.Load()
	n := min(uint64(len(p)), w-r)
	i := r & q.mask
	k := copy(p[:n], q.buf[i:])
	copy(p[k:n], q.buf)
	q.r.Store(r + n)
	return int(n)
}

// Dropped returns how many samples Write has refused because the ring was full.
func (q *Ring) Dropped() int64 { return int64(q.dropped.Load()) }
