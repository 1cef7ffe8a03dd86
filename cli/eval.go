package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/metrics"
)

// evalExts are the files eval picks up in folders.
var evalExts = audioExts

func evalCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "eval",
		Usage: "score degraded or enhanced speech against clean references (STOI, ESTOI, SI-SDR, SNR, segSNR, LSD)",
		Description: `Compares each degraded file with its clean reference and prints one row per
file and the mean, as a text table (default), CSV (--csv) or JSON (--json).

--ref and --deg are files or folders. Two folders are paired by relative path,
falling back to a unique file of the same base name; a reference file with a
degraded folder scores every file in the folder against it. Multichannel files
are downmixed. A degraded file at another sample rate is resampled to the
reference's; a constant delay of up to --max-delay seconds is found by
cross-correlation and removed; both are then cut to the shorter length. What was
changed is reported in the note column. Pairs that cannot be scored (missing
partner, unreadable file, silent or too short reference) are reported on stderr
and skipped; the exit status is non-zero only if no pair was scored.

Measures: STOI and ESTOI (as pystoi 0.4.1), SI-SDR and SNR in dB (capped at
±200), segmental SNR in dB (30 ms frames clamped to [-10, 35]), log-spectral
distance in dB. See the metrics package for the definitions.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "ref", Required: true, Usage: "clean reference file or folder"},
			&ucli.StringFlag{Name: "deg", Required: true, Usage: "degraded (or enhanced) file or folder"},
			&ucli.BoolFlag{Name: "csv", Usage: "print CSV"},
			&ucli.BoolFlag{Name: "json", Usage: "print JSON"},
			&ucli.Float64Flag{Name: "max-delay", Value: 1, Usage: "largest delay in seconds searched for and removed (0 = no alignment)"},
			strictFlag,
		},
		Action: runEval,
	}
}

// evalPair is one reference/degraded pair to score.
type evalPair struct {
	name string // row label: the degraded file's path relative to --deg
	ref  string
	deg  string
}

// evalRow is one scored pair as printed.
type evalRow struct {
	File string `json:"file"`
	Ref  string `json:"ref"`
	Deg  string `json:"deg"`
	metrics.Scores
	DelaySamples int    `json:"delay_samples"` // removed delay of deg, at the reference rate (positive: deg was late)
	Note         string `json:"note,omitempty"`
}

// evalSkip is a pair that could not be scored.
type evalSkip struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

func runEval(c *ucli.Context) error {
	if c.Bool("csv") && c.Bool("json") {
		return exitf(2, "eval: --csv and --json are exclusive")
	}
	if c.NArg() > 0 {
		return exitf(2, "eval: unexpected arguments %q (use --ref and --deg)", c.Args().Slice())
	}
	maxDelay := c.Float64("max-delay")
	if maxDelay < 0 || math.IsNaN(maxDelay) {
		return exitf(2, "eval: --max-delay must be >= 0")
	}
	stderr := c.App.ErrWriter
	pairs, problems, err := evalPairs(c.String("ref"), c.String("deg"))
	if err != nil {
		return exitf(1, "eval: %v", err)
	}
	var skips []evalSkip
	for _, p := range problems {
		fmt.Fprintf(stderr, "eval: skipped %s\n", p)
		skips = append(skips, evalSkip{File: p.file, Error: p.msg})
	}
	var rows []evalRow
	for _, p := range pairs {
		row, err := evalScore(p, maxDelay, c.Bool("strict"), func(file, damage string) {
			fmt.Fprintf(stderr, "eval: %s: warning: damaged input, scored what it holds: %s (--strict skips it)\n", file, damage)
		})
		if err != nil {
			fmt.Fprintf(stderr, "eval: skipped %s: %v\n", p.name, err)
			skips = append(skips, evalSkip{File: p.name, Error: err.Error()})
			continue
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return exitf(1, "eval: no pair could be scored")
	}
	mean := evalMean(rows)
	w := c.App.Writer
	switch {
	case c.Bool("json"):
		err = evalJSON(w, rows, mean, skips)
	case c.Bool("csv"):
		err = evalCSV(w, rows, mean)
	default:
		err = evalText(w, rows, mean)
	}
	if err != nil {
		return exitf(1, "eval: %v", err)
	}
	return nil
}

// evalProblem is a file left without a partner.
type evalProblem struct{ file, msg string }

func (p evalProblem) String() string { return p.file + ": " + p.msg }

// evalFiles lists the WAV files under dir as paths relative to it, sorted.
func evalFiles(dir string) ([]string, error) {
	var rels []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && evalExts[strings.ToLower(filepath.Ext(p))] {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			rels = append(rels, rel)
		}
		return nil
	})
	sort.Strings(rels)
	return rels, err
}

// evalPairs pairs the reference and degraded arguments (see the command's
// description). problems lists files left without a partner; err is set only
// when nothing can be paired at all.
func evalPairs(ref, deg string) (pairs []evalPair, problems []evalProblem, err error) {
	rs, err := os.Stat(ref)
	if err != nil {
		return nil, nil, fmt.Errorf("--ref: %w", err)
	}
	ds, err := os.Stat(deg)
	if err != nil {
		return nil, nil, fmt.Errorf("--deg: %w", err)
	}
	switch {
	case !rs.IsDir() && !ds.IsDir():
		return []evalPair{{name: filepath.Base(deg), ref: ref, deg: deg}}, nil, nil

	case !rs.IsDir(): // one reference for every degraded file
		degs, err := evalFiles(deg)
		if err != nil {
			return nil, nil, fmt.Errorf("--deg: %w", err)
		}
		for _, d := range degs {
			pairs = append(pairs, evalPair{name: d, ref: ref, deg: filepath.Join(deg, d)})
		}

	default:
		refs, err := evalFiles(ref)
		if err != nil {
			return nil, nil, fmt.Errorf("--ref: %w", err)
		}
		var degs []string
		if ds.IsDir() {
			if degs, err = evalFiles(deg); err != nil {
				return nil, nil, fmt.Errorf("--deg: %w", err)
			}
		}
		refByBase := evalByBase(refs)
		if !ds.IsDir() { // one degraded file: find its reference by name
			rel, msg := evalUnique(refByBase[filepath.Base(deg)], "reference")
			if msg != "" {
				return nil, []evalProblem{{deg, msg}}, nil
			}
			return []evalPair{{name: filepath.Base(deg), ref: filepath.Join(ref, rel), deg: deg}}, nil, nil
		}
		degSet := map[string]bool{}
		for _, d := range degs {
			degSet[d] = true
		}
		degByBase := evalByBase(degs)
		used := map[string]bool{}
		for _, r := range refs {
			d := r
			if !degSet[r] {
				var msg string
				if d, msg = evalUnique(degByBase[filepath.Base(r)], "degraded file"); msg != "" {
					problems = append(problems, evalProblem{filepath.Join(ref, r), msg})
					continue
				}
			}
			used[d] = true
			pairs = append(pairs, evalPair{name: d, ref: filepath.Join(ref, r), deg: filepath.Join(deg, d)})
		}
		for _, d := range degs {
			if !used[d] {
				problems = append(problems, evalProblem{filepath.Join(deg, d), "no reference with this path or name"})
			}
		}
	}
	if len(pairs) == 0 && len(problems) == 0 {
		return nil, nil, fmt.Errorf("no WAV files to pair in %s and %s", ref, deg)
	}
	return pairs, problems, nil
}

// evalByBase indexes relative paths by base name.
func evalByBase(rels []string) map[string][]string {
	m := map[string][]string{}
	for _, r := range rels {
		b := filepath.Base(r)
		m[b] = append(m[b], r)
	}
	return m
}

// evalUnique returns the only candidate, or a message saying why there is none.
func evalUnique(cands []string, what string) (string, string) {
	switch len(cands) {
	case 0:
		return "", "no " + what + " with this path or name"
	case 1:
		return cands[0], ""
	}
	return "", fmt.Sprintf("%d candidates with this name (%s)", len(cands), strings.Join(cands, ", "))
}

// evalScore reads, resamples, aligns and scores one pair. Damaged files
// are scored as far as they go (warn is told, and the note says so) unless
// strict.
func evalScore(p evalPair, maxDelay float64, strict bool, warn func(file, damage string)) (evalRow, error) {
	row := evalRow{File: p.name, Ref: p.ref, Deg: p.deg}
	var notes []string
	read := func(path, what string) ([]float32, int, error) {
		var opts []audio.Option
		if !strict {
			opts = append(opts, audio.OnDamage(func(d string) {
				warn(path, d)
				notes = append(notes, what+" damaged, scored what it holds")
			}))
		}
		return audio.ReadMono(path, math.Inf(1), opts...)
	}
	ref, fsRef, err := read(p.ref, "ref")
	if err != nil {
		return row, fmt.Errorf("reference: %w", err)
	}
	deg, fsDeg, err := read(p.deg, "deg")
	if err != nil {
		return row, err
	}
	if fsDeg != fsRef {
		y, err := metrics.Resample(deg, fsDeg, fsRef)
		if err != nil {
			return row, err
		}
		deg = make([]float32, len(y))
		for i, v := range y {
			deg[i] = float32(v)
		}
		notes = append(notes, fmt.Sprintf("resampled deg %d->%d Hz", fsDeg, fsRef))
	}
	nr, nd := len(ref), len(deg)
	if maxLag := int(math.Round(maxDelay * float64(fsRef))); maxLag > 0 {
		ref, deg, row.DelaySamples = metrics.Align(ref, deg, maxLag)
		if row.DelaySamples != 0 {
			notes = append(notes, fmt.Sprintf("aligned deg by %+d samples (%+.1f ms)",
				row.DelaySamples, 1000*float64(row.DelaySamples)/float64(fsRef)))
		}
	}
	if nr != nd {
		notes = append(notes, fmt.Sprintf("lengths differ (ref %d, deg %d samples), scored %d",
			nr, nd, min(len(ref), len(deg))))
	}
	if row.Scores, err = metrics.Compute(ref, deg, fsRef); err != nil {
		return row, err
	}
	row.Note = strings.Join(notes, "; ")
	return row, nil
}

// evalMean averages every measure over the rows.
func evalMean(rows []evalRow) metrics.Scores {
	var m metrics.Scores
	for _, r := range rows {
		m.STOI += r.STOI
		m.ESTOI += r.ESTOI
		m.SISDR += r.SISDR
		m.SNR += r.SNR
		m.SegSNR += r.SegSNR
		m.LSD += r.LSD
	}
	n := float64(len(rows))
	m.STOI /= n
	m.ESTOI /= n
	m.SISDR /= n
	m.SNR /= n
	m.SegSNR /= n
	m.LSD /= n
	return m
}

// evalColumns are the measure names, in output order.
var evalColumns = []string{"stoi", "estoi", "si_sdr", "snr", "seg_snr", "lsd"}

func evalValues(s metrics.Scores) []float64 {
	return []float64{s.STOI, s.ESTOI, s.SISDR, s.SNR, s.SegSNR, s.LSD}
}

func evalText(w io.Writer, rows []evalRow, mean metrics.Scores) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s\tnote\n", strings.Join(evalColumns, "\t"))
	line := func(name string, s metrics.Scores, note string) {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%7.2f\t%7.2f\t%6.2f\t%6.2f\t%s\n",
			name, s.STOI, s.ESTOI, s.SISDR, s.SNR, s.SegSNR, s.LSD, note)
	}
	for _, r := range rows {
		line(r.File, r.Scores, r.Note)
	}
	line("mean", mean, fmt.Sprintf("%d files", len(rows)))
	return tw.Flush()
}

func evalCSV(w io.Writer, rows []evalRow, mean metrics.Scores) error {
	cw := csv.NewWriter(w)
	cw.Write(append(append([]string{"file"}, evalColumns...), "delay_samples", "note"))
	record := func(name string, s metrics.Scores, delay, note string) {
		rec := []string{name}
		for _, v := range evalValues(s) {
			rec = append(rec, strconv.FormatFloat(v, 'f', 6, 64))
		}
		cw.Write(append(rec, delay, note))
	}
	for _, r := range rows {
		record(r.File, r.Scores, strconv.Itoa(r.DelaySamples), r.Note)
	}
	record("mean", mean, "", "")
	cw.Flush()
	return cw.Error()
}

func evalJSON(w io.Writer, rows []evalRow, mean metrics.Scores, skips []evalSkip) error {
	if skips == nil {
		skips = []evalSkip{}
	}
	out := struct {
		Files   []evalRow      `json:"files"`
		Mean    metrics.Scores `json:"mean"`
		Count   int            `json:"count"`
		Skipped []evalSkip     `json:"skipped"`
	}{rows, mean, len(rows), skips}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
