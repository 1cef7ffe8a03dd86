package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/metrics"
)

func compareCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "compare",
		Usage:     "run ghostrnn and the peers found on this machine on the same files, and score them",
		ArgsUsage: "NOISY_DIR",
		Description: `Systems: the unprocessed input, ghostrnn, ffmpeg afftdn, ffmpeg arnndn (RNNoise,
with --rnnn or ../shared/anchors/rnnoise-models/sh.rnnn) and sox noisered (noise
profile from the first 0.5 s). Peers that are not installed are listed as
skipped. Each output is aligned to its reference (arnndn's documented 10 ms,
then cross-correlation within ±50 ms) before scoring. With --clean, mean STOI, ESTOI and SI-SDR per system are computed
against the clean files of the same names. Wall time and real-time factor of
every system are measured in the same run, one file at a time.`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "clean", Usage: "folder of clean references, paired with the noisy files by name"},
			&ucli.StringFlag{Name: "rnnn", Usage: "RNNoise model for ffmpeg arnndn (default: ../shared/anchors/rnnoise-models/sh.rnnn if present)"},
			&ucli.StringFlag{Name: "keep", Usage: "keep every system's outputs under this folder"},
			&ucli.BoolFlag{Name: "markdown", Usage: "print a Markdown table"},
			&ucli.BoolFlag{Name: "json", Usage: "print JSON"},
		}, engineFlags...),
		Action: runCompare,
	}
}

// peer is one system in the comparison. run writes the enhanced version of
// in to out; delay is the output's known lag in seconds, removed before scoring.
type peer struct {
	Name    string
	run     func(ctx context.Context, in, out string) error
	delay   float64
	Skipped string `json:",omitempty"`
}

// peerScore is a system's row of the comparison.
type peerScore struct {
	System   string   `json:"system"`
	Files    int      `json:"files"`
	STOI     *float64 `json:"stoi"`   // null when not measured (no --clean, or nothing scored)
	ESTOI    *float64 `json:"estoi"`  // null when not measured
	SISDR    *float64 `json:"si_sdr"` // null when not measured
	WallSec  float64  `json:"wall_s"`
	RTF      float64  `json:"rtf"`
	Skipped  string   `json:"skipped,omitempty"`
	Failures int      `json:"failures"`
}

func runCompare(c *ucli.Context) error {
	if c.NArg() != 1 {
		return exitf(2, "compare: give one folder of noisy files")
	}
	m, opts, mode, err := engineSetup(c)
	if err != nil {
		return exitf(2, "%v", err)
	}
	ins, errs := expandInputs([]string{c.Args().First()})
	if len(errs) > 0 {
		return exitf(2, "%v", errs[0])
	}
	clean := c.String("clean")
	if clean != "" {
		if ins, err = pairClean(ins, clean, c.App.ErrWriter); err != nil {
			return exitf(2, "compare: %v", err)
		}
	}
	work := c.String("keep")
	if work == "" {
		if work, err = os.MkdirTemp("", "ghostrnn-compare-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	}
	peers := comparePeers(c.String("rnnn"), m, opts, mode)
	var audioSec float64
	for _, in := range ins {
		x, rate, err := audio.ReadMono(in.path, math.Inf(1))
		if err != nil {
			return exitf(1, "%s: %v", in.path, err)
		}
		audioSec += float64(len(x)) / float64(rate)
	}
	stderr := c.App.ErrWriter
	var rows []peerScore
	for _, p := range peers {
		row := peerScore{System: p.Name, Skipped: p.Skipped}
		if p.Skipped != "" {
			rows = append(rows, row)
			continue
		}
		dir := filepath.Join(work, strings.ReplaceAll(p.Name, " ", "_"))
		var sums metrics.Scores
		for _, in := range ins {
			out := filepath.Join(dir, strings.TrimSuffix(in.rel, filepath.Ext(in.rel))+".wav")
			os.MkdirAll(filepath.Dir(out), 0o755)
			t0 := time.Now()
			err := p.run(c.Context, in.path, out)
			row.WallSec += time.Since(t0).Seconds()
			if err != nil {
				fmt.Fprintf(stderr, "ghostrnn: compare: %s on %s: %v\n", p.Name, in.path, err)
				row.Failures++
				continue
			}
			if clean == "" {
				row.Files++
				continue
			}
			ref := filepath.Join(clean, in.rel)
			s, err := scorePair(ref, out, p.delay)
			if err != nil {
				fmt.Fprintf(stderr, "ghostrnn: compare: %s: %v\n", in.path, err)
				row.Failures++
				continue
			}
			row.Files++
			sums.STOI += s.STOI
			sums.ESTOI += s.ESTOI
			sums.SISDR += s.SISDR
		}
		if row.Files > 0 && clean != "" {
			n := float64(row.Files)
			row.STOI, row.ESTOI, row.SISDR = ptr(sums.STOI/n), ptr(sums.ESTOI/n), ptr(sums.SISDR/n)
		}
		row.RTF = row.WallSec / audioSec
		rows = append(rows, row)
	}
	if err := printCompare(c, rows, len(ins), audioSec); err != nil {
		return err
	}
	for _, r := range rows {
		if r.Skipped == "" && r.Files > 0 {
			return nil
		}
	}
	return exitf(1, "compare: no system could be scored on any file (see the errors above)")
}

// ptr returns a pointer to v: a measured value, where nil is "not measured".
func ptr(v float64) *float64 { return &v }

// pairClean keeps the noisy inputs that have a clean reference of the same
// relative path under clean. A missing folder, or one holding none of the
// names, is an error; some missing references give one warning on stderr.
func pairClean(ins []input, clean string, stderr io.Writer) ([]input, error) {
	if st, err := os.Stat(clean); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--clean %s: not a folder", clean)
	}
	var kept []input
	var missing []string
	for _, in := range ins {
		if _, err := os.Stat(filepath.Join(clean, in.rel)); err == nil {
			kept = append(kept, in)
		} else {
			missing = append(missing, in.rel)
		}
	}
	switch {
	case len(kept) == 0:
		return nil, fmt.Errorf("--clean %s holds none of the %d noisy files' names (e.g. %s): references pair with noisy files by relative path",
			clean, len(ins), ins[0].rel)
	case len(missing) > 0:
		fmt.Fprintf(stderr, "ghostrnn: compare: warning: --clean %s lacks %d of %d references (e.g. %s); those files are not compared\n",
			clean, len(missing), len(ins), missing[0])
	}
	return kept, nil
}

// comparePeers lists the systems, marking those not installed as skipped.
func comparePeers(rnnn string, m *enhancer.Model, opts enhancer.Options, mode enhancer.ChannelMode) []peer {
	ffmpeg, ffErr := exec.LookPath("ffmpeg")
	sox, soxErr := exec.LookPath("sox")
	ff := func(filter string) func(ctx context.Context, in, out string) error {
		return func(ctx context.Context, in, out string) error {
			return runTool(ctx, ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-i", in, "-af", filter, "-c:a", "pcm_s16le", out)
		}
	}
	ps := []peer{
		{Name: "noisy input", run: func(ctx context.Context, in, out string) error { return copyFile(in, out) }},
		{Name: "ghostrnn", run: func(ctx context.Context, in, out string) error {
			cfg := DenoiseConfig{Format: "wav", Model: m, Options: opts, Mode: mode}
			_, _, err := denoiseFile(ctx, denoiseJob{in: input{path: in}, out: out}, cfg, func(int64) {})
			return err
		}},
		{Name: "ffmpeg afftdn", run: ff("afftdn")},
	}
	if rnnn == "" {
		for _, p := range []string{"../shared/anchors/rnnoise-models/sh.rnnn", "../../shared/anchors/rnnoise-models/sh.rnnn"} {
			if _, err := os.Stat(p); err == nil {
				rnnn = p
				break
			}
		}
	}
	arnndn := peer{Name: "ffmpeg arnndn (RNNoise)", delay: 0.010}
	switch {
	case ffErr != nil:
		arnndn.Skipped = "ffmpeg not installed"
	case rnnn == "":
		arnndn.Skipped = "no RNNoise model (--rnnn)"
	default:
		abs, _ := filepath.Abs(rnnn)
		arnndn.Name = fmt.Sprintf("ffmpeg arnndn (RNNoise %s)", filepath.Base(rnnn))
		// arnndn runs at 48 kHz only; resample there and back to the input rate.
		arnndn.run = func(ctx context.Context, in, out string) error {
			r, c, err := audio.Open(in)
			if err != nil {
				return err
			}
			rate := r.Format().SampleRate
			c.Close()
			return ff(fmt.Sprintf("aresample=48000,arnndn=m='%s',aresample=%d", abs, rate))(ctx, in, out)
		}
	}
	ps = append(ps, arnndn)
	if ffErr != nil {
		ps[2].Skipped = "ffmpeg not installed"
	}
	noisered := peer{Name: "sox noisered"}
	if soxErr != nil {
		noisered.Skipped = "sox not installed"
	} else {
		noisered.run = func(ctx context.Context, in, out string) error {
			prof := out + ".prof"
			defer os.Remove(prof)
			if err := runTool(ctx, sox, in, "-n", "trim", "0", "0.5", "noiseprof", prof); err != nil {
				return err
			}
			return runTool(ctx, sox, in, out, "noisered", prof, "0.21")
		}
	}
	return append(ps, noisered)
}

// scorePair scores deg against ref after removing deg's known delay (seconds).
func scorePair(ref, deg string, delay float64) (metrics.Scores, error) {
	x, rx, err := audio.ReadMono(ref, math.Inf(1))
	if err != nil {
		return metrics.Scores{}, fmt.Errorf("%s: %v", ref, err)
	}
	y, ry, err := audio.ReadMono(deg, math.Inf(1))
	if err != nil {
		return metrics.Scores{}, fmt.Errorf("%s: %v", deg, err)
	}
	if rx != ry {
		rs, err := newResampler(ry, rx)
		if err != nil {
			return metrics.Scores{}, err
		}
		y = rs.Flush(rs.Process(nil, y))
	}
	if d := int(math.Round(delay * float64(rx))); d > 0 && d < len(y) {
		y = y[d:]
	}
	// Any further constant delay (some peers add one) is found by
	// cross-correlation within ±50 ms and removed, so no system is scored
	// down for latency alone.
	x, y, _ = metrics.Align(x, y, rx/20)
	return metrics.Compute(x, y, rx)
}

func printCompare(c *ucli.Context, rows []peerScore, files int, audioSec float64) error {
	out := c.App.Writer
	if c.Bool("json") {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"files": files, "audio_s": audioSec, "systems": rows})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Skipped == "" && rows[j].Skipped != "" })
	cell := func(r peerScore, v *float64, f string) string {
		if r.Skipped != "" || v == nil {
			return "–"
		}
		return fmt.Sprintf(f, *v)
	}
	header := []string{"system", "STOI", "ESTOI", "SI-SDR (dB)", "wall (s)", "real-time factor"}
	var lines [][]string
	for _, r := range rows {
		if r.Skipped != "" {
			lines = append(lines, []string{r.System, "–", "–", "–", "–", "skipped: " + r.Skipped})
			continue
		}
		lines = append(lines, []string{r.System, cell(r, r.STOI, "%.3f"), cell(r, r.ESTOI, "%.3f"), cell(r, r.SISDR, "%.2f"),
			fmt.Sprintf("%.2f", r.WallSec), fmt.Sprintf("%.4f", r.RTF)})
	}
	if c.Bool("markdown") {
		fmt.Fprintf(out, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
		for _, l := range lines {
			fmt.Fprintf(out, "| %s |\n", strings.Join(l, " | "))
		}
	} else {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, l := range lines {
			fmt.Fprintln(tw, strings.Join(l, "\t"))
		}
		tw.Flush()
	}
	fmt.Fprintf(out, "\n%d files, %s of audio; wall time includes process start-up for external tools.\n", files, fmtDuration(audioSec))
	return nil
}

// runTool runs an external program, returning its stderr in the error.
func runTool(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v: %s", filepath.Base(name), err, strings.TrimSpace(errb.String()))
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
