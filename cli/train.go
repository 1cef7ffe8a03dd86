package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/rand"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/internal/atomicfile"
	"github.com/ghostrnn/ghostrnn/models"
	"github.com/ghostrnn/ghostrnn/train"
)

func trainCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "train",
		Usage: "train a GhostRNN (or plain-GRU) mask estimator on speech and noise",
		Description: "Mixes speech and noise on the fly (SNR −5…20 dB, level, EQ, speed, rumble, reverb),\n" +
			"trains with backpropagation through time on the exact inference graph, validates\n" +
			"on held-out speakers and noise through the streaming engine, and writes the best\n" +
			"model. The run directory gets checkpoint.gob, log.jsonl, curves.png and train.log.\n" +
			"Ctrl-C saves a checkpoint; --resume continues it.",
		Flags: append(append([]ucli.Flag{
			&ucli.StringSliceFlag{Name: "arch", Value: ucli.NewStringSlice(enhancer.KindGhost), Usage: "ghostgru (DefaultArch) or gru (TwinArch); repeat to train several models in lockstep on the same batches (one --out and --run-dir each)"},
		}, corpusFlags()...),
			&ucli.BoolFlag{Name: "allow-val-overlap", Usage: "train even when the speech has one speaker (or the noise one recording), so that validation has to use training data"},
			&ucli.IntFlag{Name: "steps", Usage: "optimiser steps (0 with --minutes: until the time is up)"},
			&ucli.Float64Flag{Name: "minutes", Usage: "wall-time budget in minutes"},
			&ucli.IntFlag{Name: "features", Value: enhancer.DefaultArch.Features, Usage: "ERB bands of the input features (more bands: finer low-frequency resolution, 128 weights each)"},
			&ucli.IntFlag{Name: "lookahead", Value: enhancer.DefaultArch.Lookahead, Usage: "frames of look-ahead: the gains read D frames (D·10 ms) past the frame they apply to, adding D·10 ms of latency"},
			&ucli.IntFlag{Name: "skip", Value: enhancer.DefaultArch.Skip, Usage: "half-width w in bands of the feature skip: each bin's gain also reads its nearest ERB band and the w bands either side, in the current and the look-ahead frames ((D+1)(2w+1) weights per bin); 0: none"},
			&ucli.StringFlag{Name: "graph", Value: "v1", Usage: "model graph: v1 (dense layers around the recurrent core) or v2 (v1 plus a per-bin head of convolutions over frequency that reads each bin's level and phase advance, docs/DESIGN.md; --init with a v1 model starts from it)"},
			&ucli.IntFlag{Name: "channels", Value: enhancer.V2Arch.Channels, Usage: "v2: channels of the per-bin head"},
			&ucli.IntFlag{Name: "df", Value: enhancer.V2Arch.DF, Usage: "v2: deep-filter bins 0 … N−1 (3 complex taps over frames t, t−1, t−2 from the head, 50 Hz per bin: 40 = 0–2 kHz); 0: none"},
			&ucli.IntFlag{Name: "batch", Value: 8, Usage: "sequences per step; in a fixed time 8 trains better than 16 or 32 (more, smaller steps at the same frames per second)"},
			&ucli.Float64Flag{Name: "seconds", Value: train.DefaultMix.Seconds, Usage: "sequence length in seconds"},
			&ucli.Float64Flag{Name: "snr-min", Value: train.DefaultMix.SNRMin, Usage: "lowest speech-to-noise ratio of the mixtures, dB (drawn uniformly up to --snr-max)"},
			&ucli.Float64Flag{Name: "snr-max", Value: train.DefaultMix.SNRMax, Usage: "highest speech-to-noise ratio of the mixtures, dB"},
			&ucli.Float64Flag{Name: "clean-only", Value: train.DefaultMix.CleanOnly, Usage: "share of sequences of speech with no noise added"},
			&ucli.Float64Flag{Name: "snr-mode", DefaultText: "uniform", Usage: "draw the SNR from the triangular distribution over --snr-min … --snr-max with its peak here, dB"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "initialisation and data seed"},
			&ucli.Float64Flag{Name: "lr", Value: 2e-3, Usage: "peak learning rate"},
			&ucli.Float64Flag{Name: "weight-decay", Usage: "decoupled weight decay on matrices"},
			&ucli.Float64Flag{Name: "sdr-weight", Value: train.DefaultLoss.SDRWeight, Usage: "weight of the per-sequence spectral SDR loss term (dB); 0 turns it off"},
			&ucli.Float64Flag{Name: "sdr-cap", Value: train.DefaultLoss.SDRCap, Usage: "the SDR term stops rewarding a sequence with speech at this many dB; higher pulls clean input toward an exact pass-through"},
			&ucli.StringSliceFlag{Name: "ablate", Usage: "turn one guard of the recipe off to measure what it does: " + ablationList() + "; repeatable"},
			&ucli.Float64Flag{Name: "under-weight", Value: train.DefaultLoss.UnderWeight, Usage: "loss weight of over-suppression (output below the clean magnitude) relative to residual noise"},
			&ucli.IntFlag{Name: "val-every", Value: 1000, Usage: "steps between validations and checkpoints"},
			&ucli.StringSliceFlag{Name: "out", Usage: "best model file, one per --arch (default: RUN-DIR/best.safetensors)"},
			&ucli.StringSliceFlag{Name: "run-dir", Usage: "directory for checkpoints and logs, one per --arch (default: train/runs/ARCH-TIME)"},
			&ucli.BoolFlag{Name: "resume", Usage: "continue from RUN-DIR/checkpoint.gob"},
			&ucli.StringSliceFlag{Name: "init", Usage: "start from the weights of this model file (fine-tuning: a fresh optimiser and schedule), one per --arch; the architecture must match"},
			&ucli.IntFlag{Name: "threads", Value: 1, Usage: "BLAS threads and data workers"},
			&ucli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile of the training loop to this file"},
			&ucli.StringFlag{Name: "keep", Value: "best", Usage: "which weights --out gets: best (the best validation score) or last (the end of the schedule); with --export, which of a finished run's weights to write"},
			&ucli.BoolFlag{Name: "export", Usage: "only write the best model of RUN-DIR/checkpoint.gob to --out, redraw RUN-DIR/curves.png, and exit"},
			&ucli.StringFlag{Name: "write-val", Usage: "only write the fixed noisy validation mixtures (−5 … 20 dB SNR) as DIR/noisy/*.wav and DIR/clean/*.wav and exit"},
		),
		Subcommands: []*ucli.Command{measureCommand()},
		Action: func(c *ucli.Context) error {
			r, err := trainRunFromFlags(c)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return r.run(ctx)
		},
	}
}

// corpusFlags choose the training data, for train and train measure.
func corpusFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "data", Value: "../shared/data", Usage: "corpus directory with MANIFEST.tsv (used unless --speech/--noise)"},
		&ucli.StringSliceFlag{Name: "speech", Usage: "directory of clean speech, one folder per speaker (repeatable)"},
		&ucli.StringSliceFlag{Name: "noise", Usage: "directory of noise, each file its own recording (repeatable)"},
		&ucli.StringSliceFlag{Name: "rir", Usage: "directory of room impulse responses (repeatable)"},
		&ucli.StringFlag{Name: "split-of", Usage: "hold out exactly the speakers and noise recordings this model file was validated on (its \"split\" metadata) instead of applying the hash rule to the corpus as it is now: a corpus that has grown since can move the model's training speakers into the held-out set"},
	}
}

// ablationList describes train.Ablations for the help.
func ablationList() string {
	var parts []string
	for _, a := range train.Ablations {
		parts = append(parts, a.Name+" ("+a.Usage+")")
	}
	return strings.Join(parts, ", ")
}

// corpusConfig reads the corpus flags; cmd prefixes its errors.
func corpusConfig(c *ucli.Context, cmd string) (train.CorpusConfig, error) {
	cc := train.CorpusConfig{Data: c.String("data"), Speech: c.StringSlice("speech"), Noise: c.StringSlice("noise"), RIR: c.StringSlice("rir")}
	if p := c.String("split-of"); p != "" {
		md, err := models.Load(p)
		if err != nil {
			return cc, fmt.Errorf("%s: --split-of: %v", cmd, err)
		}
		sp, err := train.ParseSplit(md.Meta["split"])
		if err != nil {
			return cc, fmt.Errorf("%s: --split-of %s: %v", cmd, p, strings.TrimPrefix(err.Error(), "train: "))
		}
		cc.HeldOut = &sp
	}
	return cc, nil
}

// loadCorpus loads the corpus of cc with one-line errors that say what to
// give instead, and refuses a corpus with nothing to hold out for
// validation (one speaker, or one noise recording) unless allowOverlap.
func loadCorpus(cmd string, cc train.CorpusConfig, allowOverlap bool, logf func(string, ...any)) (*train.Corpus, error) {
	if len(cc.Speech) == 0 && len(cc.Noise) == 0 {
		if _, err := os.Stat(filepath.Join(cc.Data, "MANIFEST.tsv")); err != nil {
			return nil, fmt.Errorf("%s: no corpus at %s (%v): give --data DIR (a folder with MANIFEST.tsv), or --speech DIR and --noise DIR", cmd, cc.Data, errors.Unwrap(err))
		}
	} else if len(cc.Speech) == 0 || len(cc.Noise) == 0 {
		return nil, fmt.Errorf("%s: give both --speech and --noise (or neither, to use --data %s)", cmd, cc.Data)
	}
	type line struct {
		format string
		args   []any
	}
	var lines []line // logged once the corpus is accepted, so an error stays one line
	corpus, err := train.LoadCorpus(cc, func(format string, args ...any) { lines = append(lines, line{format, args}) })
	if err != nil {
		return nil, fmt.Errorf("%s: %v", cmd, strings.TrimPrefix(err.Error(), "train: "))
	}
	if !allowOverlap {
		if len(corpus.ValSpeech) == 0 {
			return nil, fmt.Errorf("%s: the speech has one speaker, so none can be held out and validation would score training speech: give several speaker folders (--speech DIR with one folder per speaker)%s", cmd, overlapHint(cmd))
		}
		if len(corpus.ValNoise) == 0 {
			return nil, fmt.Errorf("%s: the noise is one recording, so none can be held out and validation would score training noise: give several noise files%s", cmd, overlapHint(cmd))
		}
	}
	for _, l := range lines {
		logf(l.format, l.args...)
	}
	return corpus, nil
}

func overlapHint(cmd string) string {
	if cmd == "train" {
		return ", or --allow-val-overlap to validate on training data"
	}
	return ""
}

// trainRun is one ghostrnn train invocation: what the flags ask for,
// checked by trainRunFromFlags and carried out by run.
type trainRun struct {
	Kinds        []string           // --arch, one model each
	Outs, Dirs   []string           // --out and --run-dir: none, or one per --arch
	Inits        []string           // --init: none, or one per --arch
	Features     int                // --features of every model
	Lookahead    int                // --lookahead of every model
	Skip         int                // --skip of every model
	Graph        string             // --graph of every model: v1 or v2
	Channels     int                // --channels of every v2 model
	DF           int                // --df of every v2 model
	Base         train.Config       // the recipe of every model (arch, run dir, out and init set per model)
	Corpus       train.CorpusConfig // --data or --speech/--noise/--rir
	AllowOverlap bool               // --allow-val-overlap
	CPUProfile   string             // --cpuprofile
	Export       bool               // --export: write RUN-DIR's best model and exit
	WriteVal     string             // --write-val: write the validation mixtures and exit
	Args         []string           // the command line, for train.log
	Stderr       io.Writer          // log output
	Now          func() time.Time   // names the default run folders
}

// trainRunFromFlags reads and checks the flags of ghostrnn train; nothing is
// read from disk yet but the --split-of model's metadata.
func trainRunFromFlags(c *ucli.Context) (trainRun, error) {
	r := trainRun{
		Kinds: c.StringSlice("arch"), Outs: c.StringSlice("out"), Dirs: c.StringSlice("run-dir"), Inits: c.StringSlice("init"),
		Features: c.Int("features"), Lookahead: c.Int("lookahead"), Skip: c.Int("skip"),
		Graph: c.String("graph"), Channels: c.Int("channels"), DF: c.Int("df"),
		AllowOverlap: c.Bool("allow-val-overlap"),
		CPUProfile:   c.String("cpuprofile"), Export: c.Bool("export"), WriteVal: c.String("write-val"),
		Args: os.Args[1:], Stderr: c.App.ErrWriter, Now: time.Now,
	}
	var err error
	if r.Corpus, err = corpusConfig(c, "train"); err != nil {
		return r, err
	}
	cfg := train.DefaultConfig(enhancer.DefaultArch)
	cfg.Steps, cfg.Minutes = c.Int("steps"), c.Float64("minutes")
	cfg.Batch, cfg.Seed, cfg.Threads = c.Int("batch"), c.Uint64("seed"), c.Int("threads")
	cfg.LR, cfg.Decay, cfg.ValEvery = c.Float64("lr"), c.Float64("weight-decay"), c.Int("val-every")
	cfg.Mix.Seconds = c.Float64("seconds")
	cfg.Mix.SNRMin, cfg.Mix.SNRMax = c.Float64("snr-min"), c.Float64("snr-max")
	cfg.Mix.CleanOnly = c.Float64("clean-only")
	cfg.Mix.SNRPeaked, cfg.Mix.SNRMode = c.IsSet("snr-mode"), c.Float64("snr-mode")
	cfg.Loss.SDRWeight, cfg.Loss.UnderWeight, cfg.Loss.SDRCap = c.Float64("sdr-weight"), c.Float64("under-weight"), c.Float64("sdr-cap")
	cfg.Ablate = c.StringSlice("ablate")
	cfg.Resume = c.Bool("resume")
	switch k := c.String("keep"); k {
	case "best":
	case "last":
		cfg.KeepLast = true
	default:
		return r, fmt.Errorf("train: unknown --keep %q (want best or last)", k)
	}
	r.Base = cfg
	return r, r.check()
}

// check refuses contradictory or incomplete flags.
func (r *trainRun) check() error {
	cfg := &r.Base
	if lo, hi := cfg.Mix.SNRMin, cfg.Mix.SNRMax; lo > hi {
		return fmt.Errorf("train: --snr-min %g is above --snr-max %g", lo, hi)
	} else if m := cfg.Mix.SNRMode; cfg.Mix.SNRPeaked && (m < lo || m > hi) {
		return fmt.Errorf("train: --snr-mode %g is outside --snr-min … --snr-max (%g … %g)", m, lo, hi)
	}
	if n := len(r.Inits); n > 0 && n != len(r.Kinds) {
		return fmt.Errorf("train: give one --init per --arch (%d archs, %d inits)", len(r.Kinds), n)
	}
	if r.Export {
		if len(r.Dirs) == 0 {
			return errors.New("train: --export needs --run-dir (the folder with checkpoint.gob)")
		}
		if len(r.Outs) > 0 && len(r.Outs) != len(r.Dirs) {
			return fmt.Errorf("train: --export: give one --out per --run-dir (%d run dirs, %d outs)", len(r.Dirs), len(r.Outs))
		}
		return nil
	}
	if (len(r.Outs) > 0 && len(r.Outs) != len(r.Kinds)) || (len(r.Dirs) > 0 && len(r.Dirs) != len(r.Kinds)) {
		return fmt.Errorf("train: give one --out and one --run-dir per --arch (%d archs, %d outs, %d run dirs)", len(r.Kinds), len(r.Outs), len(r.Dirs))
	}
	if cfg.ValEvery < 1 {
		return errors.New("train: --val-every must be ≥ 1")
	}
	if cfg.Steps <= 0 && cfg.Minutes <= 0 && r.WriteVal == "" {
		return errors.New("train: give --steps or --minutes")
	}
	return cfg.CheckAblations()
}

// runLog is a run's log: it goes to stderr at once, and to RUN-DIR/train.log
// from the moment the run folder exists (what was logged before is written
// there first).
type runLog struct {
	stderr  io.Writer
	pending bytes.Buffer
	file    *os.File
}

func (l *runLog) Write(p []byte) (int, error) {
	l.stderr.Write(p)
	if l.file != nil {
		return l.file.Write(p)
	}
	return l.pending.Write(p)
}

// open starts writing to path (appending), first what was logged so far.
func (l *runLog) open(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	l.file = f
	_, err = l.pending.WriteTo(f)
	return err
}

func (l *runLog) close() {
	if l.file != nil {
		l.file.Close()
	}
}

// trainModel is one model of a run: its configuration and its log.
type trainModel struct {
	cfg train.Config
	log *runLog
	lg  *log.Logger
}

// run carries out r: it checks every input (models, checkpoints, corpus)
// before it creates a run folder, and a failed run removes the run folders
// it created while they hold no checkpoint.
func (r trainRun) run(ctx context.Context) (err error) {
	if r.Export {
		return r.export()
	}
	if r.Base.Threads > 0 {
		runtime.GOMAXPROCS(max(r.Base.Threads, 2))
	}
	var ms []trainModel
	defer func() {
		for _, m := range ms {
			m.log.close()
		}
	}()
	for i := range r.Kinds {
		m, err := r.model(i)
		if err != nil {
			return err
		}
		ms = append(ms, m)
	}
	lg := ms[0].lg
	corpus, err := loadCorpus("train", r.Corpus, r.AllowOverlap, lg.Printf)
	if err != nil {
		return err
	}
	if len(corpus.ValSpeech) == 0 {
		lg.Printf("warning: one speaker: validation scores training speech (--allow-val-overlap)")
	}
	if len(corpus.ValNoise) == 0 {
		lg.Printf("warning: one noise recording: validation scores training noise (--allow-val-overlap)")
	}
	if r.WriteVal != "" {
		return writeValSet(r.WriteVal, train.ValSet(corpus, r.Base.ValClips))
	}
	var created []string // run folders this run made
	defer func() {
		if err != nil && !errors.Is(err, context.Canceled) {
			for _, dir := range created {
				if _, serr := os.Stat(filepath.Join(dir, "checkpoint.gob")); serr != nil {
					os.RemoveAll(dir)
				}
			}
		}
	}()
	var ts []*train.Trainer
	for _, m := range ms {
		if _, err := os.Stat(m.cfg.RunDir); errors.Is(err, fs.ErrNotExist) {
			if err := os.MkdirAll(m.cfg.RunDir, 0o755); err != nil {
				return fmt.Errorf("train: %v", err)
			}
			created = append(created, m.cfg.RunDir)
		}
		if err := m.log.open(filepath.Join(m.cfg.RunDir, "train.log")); err != nil {
			return fmt.Errorf("train: %v", err)
		}
		m.lg.Printf("ghostrnn train %v (%s, %d params), BLAS %s", r.Args, m.cfg.Arch.Kind, m.cfg.Arch.Params(), train.BLASName)
		tr, err := train.NewTrainer(m.cfg, corpus)
		if err != nil {
			return err
		}
		ts = append(ts, tr)
	}
	if r.CPUProfile != "" {
		f, err := os.Create(r.CPUProfile)
		if err != nil {
			return fmt.Errorf("train: --cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("train: --cpuprofile: %v", err)
		}
		defer pprof.StopCPUProfile()
	}
	err = train.RunTogether(ctx, ts)
	if errors.Is(err, context.Canceled) {
		lg.Printf("stopped; continue with the same command and --resume")
		return nil
	}
	return err
}

// export writes the best model of each run folder (--export).
func (r trainRun) export() error {
	for i, dir := range r.Dirs {
		out := ""
		if len(r.Outs) > 0 {
			out = r.Outs[i]
		}
		if err := train.Export(dir, out, r.Base.KeepLast); err != nil {
			return fmt.Errorf("train: --export: %v", strings.TrimPrefix(err.Error(), "train: "))
		}
	}
	return nil
}

// model configures the i-th model of the run (--arch, --run-dir, --out,
// --init) and checks its architecture, its checkpoint (--resume) or its
// starting weights (--init).
func (r trainRun) model(i int) (trainModel, error) {
	arch := enhancer.DefaultArch
	switch kind := r.Kinds[i]; kind {
	case enhancer.KindGhost:
	case enhancer.KindGRU:
		arch = enhancer.TwinArch
	default:
		return trainModel{}, fmt.Errorf("train: unknown --arch %q (want ghostgru or gru)", kind)
	}
	arch.Lookahead, arch.Skip, arch.Features = r.Lookahead, r.Skip, r.Features
	switch r.Graph {
	case "v1", "":
	case enhancer.GraphV2:
		arch.Graph, arch.Channels, arch.DF = r.Graph, r.Channels, r.DF
	default:
		return trainModel{}, fmt.Errorf("train: unknown --graph %q (want v1 or v2)", r.Graph)
	}
	if err := arch.Validate(); err != nil {
		return trainModel{}, fmt.Errorf("train: %v", err)
	}
	cfg := r.Base
	cfg.Arch = arch
	cfg.RunDir = filepath.Join("train", "runs", arch.Kind+"-"+r.Now().UTC().Format("20060102-150405"))
	if len(r.Dirs) > 0 {
		cfg.RunDir = r.Dirs[i]
	}
	if len(r.Outs) > 0 {
		cfg.Out = r.Outs[i]
	}
	if cfg.Resume {
		if _, err := os.Stat(filepath.Join(cfg.RunDir, "checkpoint.gob")); err != nil {
			return trainModel{}, fmt.Errorf("train: --resume: no checkpoint in %s (%v)", cfg.RunDir, errors.Unwrap(err))
		}
	} else if len(r.Inits) > 0 {
		start, err := models.Load(r.Inits[i])
		if err != nil {
			return trainModel{}, fmt.Errorf("train: --init: %v", err)
		}
		if start.Arch != arch && start.Arch == arch.V1() && arch.Graph == enhancer.GraphV2 {
			// a v2 run started from a trained v1 model: its weights and a fresh head
			if start, err = enhancer.WithHead(start, arch, rand.New(rand.NewSource(int64(r.Base.Seed)))); err != nil {
				return trainModel{}, fmt.Errorf("train: --init: %v", err)
			}
		}
		if start.Arch != arch {
			return trainModel{}, fmt.Errorf("train: --init %s: a %s model of %d features, look-ahead %d, skip %d does not match the %s being trained (%d, %d, %d)",
				r.Inits[i], start.Arch.Kind, start.Arch.Features, start.Arch.Lookahead, start.Arch.Skip, arch.Kind, arch.Features, arch.Lookahead, arch.Skip)
		}
		cfg.Init = start
	}
	l := &runLog{stderr: r.Stderr}
	lg := log.New(l, "["+arch.Kind+"] ", log.LstdFlags)
	cfg.Logf = lg.Printf
	return trainModel{cfg, l, lg}, nil
}

// writeValSet writes the noisy validation mixtures as 16-bit WAV pairs
// DIR/noisy/NAME.wav and DIR/clean/NAME.wav. Noise-only items (no clean
// reference) and clean-only items (noisy = clean, which would swamp mean
// SI-SDR) are left out; validation reports both separately.
func writeValSet(dir string, items []train.ValItem) error {
	count := map[string]int{}
	for _, it := range items {
		if it.Cond == "noise" || it.Cond == "clean" {
			continue
		}
		name := fmt.Sprintf("%s_%02d.wav", strings.ReplaceAll(it.Cond, "=", ""), count[it.Cond])
		count[it.Cond]++
		for sub, x := range map[string][]float32{"noisy": it.Noisy, "clean": it.Clean} {
			p := filepath.Join(dir, sub, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := writeMonoWAV(p, train.SampleRate, x); err != nil {
				return fmt.Errorf("train: %s: %v", p, err)
			}
		}
	}
	return nil
}

// writeMonoWAV writes x as a 16-bit mono WAV file at rate Hz, atomically
// (a failed write leaves no file).
func writeMonoWAV(path string, rate int, x []float32) error {
	return atomicfile.Write(path, func(f io.Writer) error {
		w, err := audio.CreateWAV(f, audio.Format{SampleRate: rate, Channels: 1, Encoding: audio.PCM16, Bits: 16})
		if err != nil {
			return err
		}
		if err := w.Write(x); err != nil {
			return err
		}
		return w.Close()
	})
}
