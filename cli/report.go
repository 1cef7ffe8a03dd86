package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"
)

func reportCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "report",
		Usage:     "merge the --report files of denoise runs (e.g. the shards of a Job) into a total",
		ArgsUsage: "FILE-or-DIR... (.jsonl files; a folder is searched for them)",
		Description: `Reads the JSON lines that 'ghostrnn denoise --report' wrote and counts every
input once: its latest line wins, except that a 'skipped' line (the output
existed) keeps the audio of an earlier 'ok' line. A torn last line (a writer
killed mid-line) and other unreadable lines are skipped and named on stderr.
Prints files, hours of audio, failures and throughput; --json for a script.`,
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "json", Usage: "print the totals as JSON"},
			&ucli.IntFlag{Name: "list-failed", Value: 20, Usage: "name at most this many failed inputs (-1: all)"},
		},
		Action: runReport,
	}
}

// reportTotal is the merged summary of report files.
type reportTotal struct {
	Reports    int     `json:"reports"`     // files read
	Lines      int     `json:"lines"`       // records read
	BadLines   int     `json:"bad_lines"`   // torn or unreadable lines skipped
	Inputs     int     `json:"inputs"`      // distinct inputs
	OK         int     `json:"ok"`          // cleaned (the latest state)
	Skipped    int     `json:"skipped"`     // output existed and no run recorded cleaning it
	Failed     int     `json:"failed"`      // the latest attempt failed
	Attempts   int     `json:"attempts"`    // lines that cleaned or tried to clean (not skipped)
	AudioHours float64 `json:"audio_hours"` // audio of the ok inputs
	BusySec    float64 `json:"busy_s"`      // sum of the ok inputs' wall seconds
	ElapsedSec float64 `json:"elapsed_s"`   // first start to last finish over all lines
	// SpeedPerJob is audio seconds per busy second: how many times faster
	// than real time one file job ran.
	SpeedPerJob float64 `json:"speed_per_job"`
	// Speed is audio seconds per elapsed second over the whole run.
	Speed      float64        `json:"speed"`
	Shards     []string       `json:"shards,omitempty"` // distinct I/N seen
	FailedList []reportRecord `json:"failed_inputs,omitempty"`
	Warnings   []string       `json:"warnings,omitempty"`
}

func runReport(c *ucli.Context) error {
	if c.NArg() == 0 {
		return exitf(2, "report: give the report files or folders (see ghostrnn report --help)")
	}
	files, err := reportFiles(c.Args().Slice())
	if err != nil {
		return exitf(1, "%v", err)
	}
	var recs []reportRecord
	var warns []string
	for _, p := range files {
		r, w, err := readReport(p)
		if err != nil {
			return exitf(1, "%s: %v", p, err)
		}
		recs, warns = append(recs, r...), append(warns, w...)
	}
	t := mergeReports(recs)
	t.Reports, t.Warnings = len(files), warns
	t.BadLines = len(warns)
	stderr := c.App.ErrWriter
	if stderr == nil {
		stderr = os.Stderr
	}
	stdout := c.App.Writer
	if stdout == nil {
		stdout = os.Stdout
	}
	for _, w := range warns {
		fmt.Fprintln(stderr, "ghostrnn: warning:", w)
	}
	if n := c.Int("list-failed"); n >= 0 && len(t.FailedList) > n {
		t.FailedList = t.FailedList[:n]
	}
	if c.Bool("json") {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	}
	printReport(stdout, t)
	return nil
}

// reportFiles expands the arguments: files as given, folders to the .jsonl
// files under them, sorted.
func reportFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("%s: no such file or directory", a)
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(p), ".jsonl") {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %v", a, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: folder has no .jsonl report files", a)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

// readReport reads the records of one report file. Lines that do not parse
// are skipped and described in warns: the last line without a newline as
// torn (its writer was killed mid-write), others as unreadable.
func readReport(path string) (recs []reportRecord, warns []string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	lines := bytes.Split(data, []byte("\n"))
	for i, raw := range lines {
		line := bytes.TrimSpace(raw)
		if len(line) == 0 {
			continue
		}
		var r reportRecord
		err := json.Unmarshal(line, &r)
		switch {
		case err == nil && r.Input != "" && validStatus(r.Status):
			recs = append(recs, r)
		case i == len(lines)-1: // no newline after it
			warns = append(warns, fmt.Sprintf("%s:%d: torn last line skipped (its writer was killed mid-line)", path, i+1))
		case err == nil:
			warns = append(warns, fmt.Sprintf("%s:%d: line without an input or a known status skipped", path, i+1))
		default:
			warns = append(warns, fmt.Sprintf("%s:%d: unreadable line skipped (torn by a killed writer?): %v", path, i+1, err))
		}
	}
	return recs, warns, nil
}

func validStatus(s string) bool {
	return s == statusOK || s == statusSkipped || s == statusFailed
}

// mergeReports counts every input once. Records are taken in time order
// (stable, so equal times keep their read order); an input's latest record
// wins, except that a skipped record after an ok one keeps the ok.
func mergeReports(recs []reportRecord) reportTotal {
	var t reportTotal
	t.Lines = len(recs)
	sorted := append([]reportRecord(nil), recs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	final := map[string]reportRecord{}
	var order []string
	shards := map[string]bool{}
	var first, last time.Time
	for _, r := range sorted {
		if r.Shard != "" && !shards[r.Shard] {
			shards[r.Shard] = true
			t.Shards = append(t.Shards, r.Shard)
		}
		if r.Status != statusSkipped {
			t.Attempts++
		}
		start := r.Time.Add(-time.Duration(r.WallSec * float64(time.Second)))
		if first.IsZero() || start.Before(first) {
			first = start
		}
		if r.Time.After(last) {
			last = r.Time
		}
		prev, seen := final[r.Input]
		if !seen {
			order = append(order, r.Input)
		}
		if seen && r.Status == statusSkipped && prev.Status == statusOK {
			continue
		}
		final[r.Input] = r
	}
	sort.Strings(t.Shards)
	var audioSec float64
	for _, in := range order {
		r := final[in]
		switch r.Status {
		case statusOK:
			t.OK++
			audioSec += r.AudioSec
			t.BusySec += r.WallSec
		case statusSkipped:
			t.Skipped++
		case statusFailed:
			t.Failed++
			t.FailedList = append(t.FailedList, r)
		}
	}
	t.Inputs = len(order)
	t.AudioHours = audioSec / 3600
	if !first.IsZero() {
		t.ElapsedSec = last.Sub(first).Seconds()
	}
	if t.BusySec > 0 {
		t.SpeedPerJob = audioSec / t.BusySec
	}
	if t.ElapsedSec > 0 {
		t.Speed = audioSec / t.ElapsedSec
	}
	return t
}

// printReport writes the totals for a person.
func printReport(w io.Writer, t reportTotal) {
	fmt.Fprintf(w, "reports:    %d files, %d lines", t.Reports, t.Lines)
	if t.BadLines > 0 {
		fmt.Fprintf(w, ", %d torn or unreadable lines skipped", t.BadLines)
	}
	if len(t.Shards) > 0 {
		fmt.Fprintf(w, ", shards %s", strings.Join(t.Shards, " "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "inputs:     %d (%d ok, %d skipped as already done, %d failed); %d attempts\n",
		t.Inputs, t.OK, t.Skipped, t.Failed, t.Attempts)
	fmt.Fprintf(w, "audio:      %.3f h (%s) cleaned\n", t.AudioHours, fmtDuration(t.AudioHours*3600))
	fmt.Fprintf(w, "time:       %.1f s busy in file jobs, %.1f s elapsed from the first start to the last finish\n", t.BusySec, t.ElapsedSec)
	fmt.Fprintf(w, "throughput: %.1f× real time per job, %.1f× real time overall\n", t.SpeedPerJob, t.Speed)
	for _, r := range t.FailedList {
		// denoise's errors already start with the input's path.
		fmt.Fprintf(w, "failed:     %s: %s\n", r.Input, strings.TrimPrefix(r.Error, r.Input+": "))
	}
	if t.Failed > len(t.FailedList) {
		fmt.Fprintf(w, "failed:     … and %d more (--list-failed -1 lists all)\n", t.Failed-len(t.FailedList))
	}
}
