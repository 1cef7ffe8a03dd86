package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReportLogTornLine: a report whose writer was killed mid-line gets a
// newline before the next record, so the torn line stays alone; the reader
// skips it, names it, and reads every whole record.
func TestReportLogTornLine(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.jsonl")
	clock := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	l, err := openReportLog(p, Shard{Index: 1, Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	l.now = func() time.Time { return clock }
	if err := l.add(FileResult{Input: "a.wav", Output: "o/a.wav", AudioSec: 2, WallSec: 0.5, Status: "done"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// A killed writer: half a line, no newline.
	f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"input":"b.wav","output":"o/b.w`)
	f.Close()
	// The next run appends after it.
	l, err = openReportLog(p, Shard{Index: 1, Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	l.now = func() time.Time { return clock.Add(time.Second) }
	l.add(FileResult{Input: "b.wav", Output: "o/b.wav", AudioSec: 3, WallSec: 1, Status: "done"})
	l.Close()

	recs, warns, err := readReport(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Input != "a.wav" || recs[1].Input != "b.wav" || recs[1].Shard != "1/3" || !recs[1].Time.Equal(clock.Add(time.Second)) {
		t.Fatalf("records %+v", recs)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "r.jsonl:2: unreadable line") {
		t.Fatalf("warnings %q, want one for line 2", warns)
	}
	// A torn last line is named as such.
	f, _ = os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"input":"c.wav","sta`)
	f.Close()
	recs, warns, _ = readReport(p)
	if len(recs) != 2 || len(warns) != 2 || !strings.Contains(warns[1], "r.jsonl:4: torn last line") {
		t.Fatalf("%d records, warnings %q", len(recs), warns)
	}
}

// TestMergeReports: every input counts once; the latest record wins, a
// skipped record keeps an earlier ok; failures retried and cleaned are ok.
func TestMergeReports(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	recs := []reportRecord{
		// shard 0, killed after a and b, restarted: a skipped, c cleaned.
		{Input: "a", Status: statusOK, AudioSec: 10, WallSec: 1, Time: at(1), Shard: "0/2"},
		{Input: "b", Status: statusFailed, Error: "boom", WallSec: 1, Time: at(2), Shard: "0/2"},
		{Input: "a", Status: statusSkipped, Time: at(10), Shard: "0/2"},
		{Input: "b", Status: statusOK, AudioSec: 20, WallSec: 2, Time: at(12), Shard: "0/2"},
		{Input: "c", Status: statusOK, AudioSec: 30, WallSec: 3, Time: at(15), Shard: "0/2"},
		// shard 1: d failed for good, e done by a run with no report.
		{Input: "e", Status: statusSkipped, Time: at(5), Shard: "1/2"},
		{Input: "d", Status: statusFailed, Error: "not audio", WallSec: 0.5, Time: at(4), Shard: "1/2"},
	}
	// Read order must not matter: reverse it.
	rev := make([]reportRecord, len(recs))
	for i, r := range recs {
		rev[len(recs)-1-i] = r
	}
	for _, in := range [][]reportRecord{recs, rev} {
		tot := mergeReports(in)
		if tot.Inputs != 5 || tot.OK != 3 || tot.Skipped != 1 || tot.Failed != 1 || tot.Attempts != 5 || tot.Lines != 7 {
			t.Fatalf("totals %+v", tot)
		}
		if got := tot.AudioHours * 3600; got < 60-1e-9 || got > 60+1e-9 {
			t.Errorf("audio %g s, want 60", got)
		}
		if tot.BusySec != 6 || tot.SpeedPerJob != 10 {
			t.Errorf("busy %g s, speed per job %g; want 6 s, 10", tot.BusySec, tot.SpeedPerJob)
		}
		// From a's start (1 s − 1 s wall) to c's finish at 15 s.
		if tot.ElapsedSec != 15 || tot.Speed != 4 {
			t.Errorf("elapsed %g s, speed %g; want 15 s, 4", tot.ElapsedSec, tot.Speed)
		}
		if len(tot.FailedList) != 1 || tot.FailedList[0].Input != "d" || strings.Join(tot.Shards, ",") != "0/2,1/2" {
			t.Errorf("failed %+v, shards %v", tot.FailedList, tot.Shards)
		}
	}
}

func TestReportPath(t *testing.T) {
	dir := t.TempDir()
	s := Shard{Index: 2, Count: 8}
	for _, tc := range []struct{ in, want string }{
		{filepath.Join(dir, "x.jsonl"), filepath.Join(dir, "x.jsonl")},
		{dir, filepath.Join(dir, "shard-2-of-8.jsonl")},
		{filepath.Join(dir, "new") + "/", filepath.Join(dir, "new", "shard-2-of-8.jsonl")},
	} {
		if got := reportPath(tc.in, s); got != tc.want {
			t.Errorf("reportPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := reportPath(dir, Shard{}); got != filepath.Join(dir, "denoise.jsonl") {
		t.Errorf("unsharded: %q", got)
	}
}
