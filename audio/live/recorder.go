package live

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/ghostrnn/ghostrnn/audio"
)

// Recorder writes the frames that the audio thread puts in a Ring to a
// 32-bit float WAV file, from its own goroutine. The file's header is
// valid at every moment (sizes are patched on Close; before that they read
// "until end of file"), so a recording cut short stays readable.
type Recorder struct {
	path   string
	ring   *Ring
	f      *os.File
	w      *audio.WAVWriter
	ch     int
	frames atomic.Int64
	err    error
	stop   chan struct{}
	done   chan struct{}
}

// RecordRingSeconds is how much audio a recording's ring holds while the
// disk is busy; beyond that frames are dropped and counted.
const RecordRingSeconds = 10

// CreateRecorder creates path (replacing it; its folder too, if missing) as
// a WAV file of rate and channels, with a ring for the audio thread to fill,
// and starts draining it.
func CreateRecorder(path string, rate, channels int) (*Recorder, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("cannot record: %v", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cannot record: %v", err)
	}
	w, err := audio.CreateWAV(f, audio.Format{SampleRate: rate, Channels: channels, Encoding: audio.Float32})
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("cannot record %s: %v", path, err)
	}
	r := &Recorder{
		path: path, f: f, w: w, ch: channels,
		ring: NewRing(RecordRingSeconds * rate * channels),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go r.drain()
	return r, nil
}

// Ring returns the ring that the audio thread writes.
func (r *Recorder) Ring() *Ring { return r.ring }

// Path returns the file's path.
func (r *Recorder) Path() string { return r.path }

// Frames returns the frames written to the file so far.
func (r *Recorder) Frames() int64 { return r.frames.Load() }

func (r *Recorder) drain() {
	defer close(r.done)
	buf := make([]float32, 1<<14*r.ch)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		for {
			n := r.ring.Read(buf)
			if n == 0 {
				break
			}
			if r.err == nil {
				if err := r.w.Write(buf[:n]); err != nil {
					r.err = fmt.Errorf("recording %s: %v", r.path, err)
				} else {
					r.frames.Add(int64(n / r.ch))
				}
			}
		}
		select {
		case <-r.stop:
			if r.ring.Len() == 0 {
				return
			}
		case <-tick.C:
		}
	}
}

// Close writes what the ring still holds, finishes the file's header and
// closes it. The audio thread must have stopped writing.
func (r *Recorder) Close() error {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.done
	err := r.err
	if cerr := r.w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("recording %s: %v", r.path, cerr)
	}
	if cerr := r.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("recording %s: %v", r.path, cerr)
	}
	return err
}

// removeFile deletes a file this package created and left empty.
func removeFile(path string) { os.Remove(path) }
