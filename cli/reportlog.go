package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Report statuses: the file was cleaned, its output already existed
// (--skip-existing), or it could not be cleaned.
const (
	statusOK      = "ok"
	statusSkipped = "skipped"
	statusFailed  = "failed"
)

// reportRecord is one line of a --report file: what became of one input.
type reportRecord struct {
	Input    string    `json:"input"`
	Output   string    `json:"output,omitempty"`
	AudioSec float64   `json:"audio_s"` // seconds of audio cleaned (0 unless ok)
	WallSec  float64   `json:"wall_s"`  // wall-clock seconds spent on the input
	Status   string    `json:"status"`  // ok, skipped or failed
	Error    string    `json:"error,omitempty"`
	Shard    string    `json:"shard,omitempty"` // I/N, when sharded
	Host     string    `json:"host,omitempty"`  // the machine (a pod's name)
	Time     time.Time `json:"time"`            // when the input was finished
}

// reportLog appends records to a JSON-lines file, one line per record and
// each line in a single write(2) on an O_APPEND descriptor: a process killed
// at any moment leaves whole lines and at most one torn last line, and
// several processes may append to the same file.
type reportLog struct {
	mu    sync.Mutex
	f     *os.File
	shard string
	host  string
	now   func() time.Time
}

// reportPath is where a shard's report goes: path itself, or when path is a
// folder (existing, or written with a trailing slash) a file in it named
// after the shard, shard-I-of-N.jsonl (denoise.jsonl unsharded), so that
// every pod of a Job can be given the same --report.
func reportPath(path string, s Shard) string {
	st, err := os.Stat(path)
	isDir := (err == nil && st.IsDir()) || os.IsPathSeparator(path[len(path)-1])
	if !isDir {
		return path
	}
	name := "denoise.jsonl"
	if s.Count > 0 {
		name = fmt.Sprintf("shard-%d-of-%d.jsonl", s.Index, s.Count)
	}
	return filepath.Join(path, name)
}

// openReportLog opens path for appending, creating it and its folder. If
// the file ends in a torn line (a killed writer), a newline is written first
// so that the torn line stays alone and the new records stay readable.
func openReportLog(path string, s Shard) (*reportLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("--report: %v", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--report: %v", err)
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", path)
	}
	if err == nil && st.Size() > 0 {
		err = endLine(path, f, st.Size())
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("--report: %v", err)
	}
	host, _ := os.Hostname()
	return &reportLog{f: f, shard: s.String(), host: host, now: time.Now}, nil
}

// endLine writes a newline to f (opened for appending) unless the file at
// path, of the given size, already ends with one.
func endLine(path string, f *os.File, size int64) error {
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	last := make([]byte, 1)
	if _, err := r.ReadAt(last, size-1); err != nil && err != io.EOF {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	_, err = f.Write([]byte{'\n'})
	return err
}

// add appends the record of r, stamped with the shard, the host and the
// time. Results without an input (an argument that named nothing) and a nil
// log write nothing.
func (l *reportLog) add(r FileResult) error {
	if l == nil || r.Input == "" {
		return nil
	}
	rec := reportRecord{Input: r.Input, Output: r.Output, WallSec: r.WallSec, Status: statusFailed}
	switch r.Status {
	case "done":
		rec.Status, rec.AudioSec = statusOK, r.AudioSec
	case statusSkipped:
		rec.Status = statusSkipped
	}
	if r.Err != nil {
		rec.Error = r.Err.Error()
	}
	return l.write(rec)
}

// write appends rec, stamped with the shard, the host and the time.
func (l *reportLog) write(rec reportRecord) error {
	rec.Shard, rec.Host, rec.Time = l.shard, l.host, l.now().UTC()
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err = l.f.Write(line) // one write: the line lands whole or torn last
	return err
}

// Close flushes the file to stable storage and closes it.
func (l *reportLog) Close() error {
	if l == nil {
		return nil
	}
	serr := l.f.Sync()
	if err := l.f.Close(); err != nil {
		return err
	}
	return serr
}
