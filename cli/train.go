package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
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
	"github.com/ghostrnn/ghostrnn/metrics"
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
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "arch", Value: ucli.NewStringSlice(enhancer.KindGhost), Usage: "ghostgru (DefaultArch) or gru (TwinArch); repeat to train several models in lockstep on the same batches (one --out and --run-dir each)"},
			&ucli.StringFlag{Name: "data", Value: "../shared/data", Usage: "corpus directory with MANIFEST.tsv (used unless --speech/--noise)"},
			&ucli.StringSliceFlag{Name: "speech", Usage: "directory of clean speech (repeatable)"},
			&ucli.StringSliceFlag{Name: "noise", Usage: "directory of noise (repeatable)"},
			&ucli.StringSliceFlag{Name: "rir", Usage: "directory of room impulse responses (repeatable)"},
			&ucli.IntFlag{Name: "steps", Usage: "optimiser steps (0 with --minutes: until the time is up)"},
			&ucli.Float64Flag{Name: "minutes", Usage: "wall-time budget in minutes"},
			&ucli.IntFlag{Name: "features", Value: enhancer.DefaultArch.Features, Usage: "ERB bands of the input features (more bands: finer low-frequency resolution, 128 weights each)"},
			&ucli.IntFlag{Name: "lookahead", Value: enhancer.DefaultArch.Lookahead, Usage: "frames of look-ahead: the gains read D frames (D·10 ms) past the frame they apply to, adding D·10 ms of latency"},
			&ucli.IntFlag{Name: "skip", Value: enhancer.DefaultArch.Skip, Usage: "half-width w in bands of the feature skip: each bin's gain also reads its nearest ERB band and the w bands either side, in the current and the look-ahead frames ((D+1)(2w+1) weights per bin); 0: none"},
			&ucli.StringFlag{Name: "graph", Value: "v1", Usage: "model graph: v1 (dense layers around the recurrent core) or v2 (convolutional encoder/decoder shared along frequency around the same core, docs/DESIGN.md; no --skip)"},
			&ucli.IntFlag{Name: "channels", Value: enhancer.V2Arch.Channels, Usage: "v2: encoder/decoder channels"},
			&ucli.IntFlag{Name: "batch", Value: 8, Usage: "sequences per step; in a fixed time 8 trains better than 16 or 32 (more, smaller steps at the same frames per second)"},
			&ucli.Float64Flag{Name: "seconds", Value: train.DefaultMix.Seconds, Usage: "sequence length in seconds"},
			&ucli.Float64Flag{Name: "snr-min", Value: train.DefaultMix.SNRMin, Usage: "lowest speech-to-noise ratio of the mixtures, dB (drawn uniformly up to --snr-max)"},
			&ucli.Float64Flag{Name: "snr-max", Value: train.DefaultMix.SNRMax, Usage: "highest speech-to-noise ratio of the mixtures, dB"},
			&ucli.Float64Flag{Name: "snr-mode", Usage: "draw the SNR from the triangular distribution over --snr-min … --snr-max with its peak here, dB (default: uniform)"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "initialisation and data seed"},
			&ucli.Float64Flag{Name: "lr", Value: 2e-3, Usage: "peak learning rate"},
			&ucli.Float64Flag{Name: "weight-decay", Usage: "decoupled weight decay on matrices"},
			&ucli.Float64Flag{Name: "sdr-weight", Value: train.DefaultLoss.SDRWeight, Usage: "weight of the per-sequence spectral SDR loss term (dB); 0 turns it off"},
			&ucli.StringSliceFlag{Name: "ablate", Usage: "turn one guard of the recipe off to measure what it does: floor (gain floor −80 dB instead of −30), under (over-suppression weighted 1×), sdr (no SDR term), speech-aug (no speed/EQ on speech), noise-aug (no EQ/tilt/rumble on noise), noise-mix (no noise resampling or second noise); repeatable"},
			&ucli.Float64Flag{Name: "under-weight", Value: train.DefaultLoss.UnderWeight, Usage: "loss weight of over-suppression (output below the clean magnitude) relative to residual noise"},
			&ucli.IntFlag{Name: "val-every", Value: 1000, Usage: "steps between validations and checkpoints"},
			&ucli.StringSliceFlag{Name: "out", Usage: "best model file, one per --arch (default: RUN-DIR/best.safetensors)"},
			&ucli.StringSliceFlag{Name: "run-dir", Usage: "directory for checkpoints and logs, one per --arch (default: train/runs/ARCH-TIME)"},
			&ucli.BoolFlag{Name: "resume", Usage: "continue from RUN-DIR/checkpoint.gob"},
			&ucli.StringSliceFlag{Name: "init", Usage: "start from the weights of this model file (fine-tuning: a fresh optimiser and schedule), one per --arch; the architecture must match"},
			&ucli.IntFlag{Name: "threads", Value: 1, Usage: "BLAS threads and data workers"},
			&ucli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile of the training loop to this file"},
			&ucli.BoolFlag{Name: "export", Usage: "only write the best model of RUN-DIR/checkpoint.gob to --out, redraw RUN-DIR/curves.png, and exit"},
			&ucli.StringFlag{Name: "write-val", Usage: "only write the fixed noisy validation mixtures (−5 … 20 dB SNR) as DIR/noisy/*.wav and DIR/clean/*.wav and exit"},
		},
		Action: runTrain,
	}
}

func runTrain(c *ucli.Context) error {
	kinds := c.StringSlice("arch")
	outs, dirs := c.StringSlice("out"), c.StringSlice("run-dir")
	if lo, hi := c.Float64("snr-min"), c.Float64("snr-max"); lo > hi {
		return fmt.Errorf("train: --snr-min %g is above --snr-max %g", lo, hi)
	} else if m := c.Float64("snr-mode"); c.IsSet("snr-mode") && (m < lo || m > hi) {
		return fmt.Errorf("train: --snr-mode %g is outside --snr-min … --snr-max (%g … %g)", m, lo, hi)
	}
	if n := len(c.StringSlice("init")); n > 0 && n != len(kinds) {
		return fmt.Errorf("train: give one --init per --arch (%d archs, %d inits)", len(kinds), n)
	}
	if (len(outs) > 0 && len(outs) != len(kinds)) || (len(dirs) > 0 && len(dirs) != len(kinds)) {
		return fmt.Errorf("train: give one --out and one --run-dir per --arch (%d archs, %d outs, %d run dirs)", len(kinds), len(outs), len(dirs))
	}
	if c.Int("val-every") < 1 {
		return errors.New("train: --val-every must be ≥ 1")
	}
	train.STOI = func(ref, deg []float32, fs int) float64 {
		v, err := metrics.STOI(ref, deg, fs)
		if err != nil {
			return 0 // too short or silent: scores 0 for input and output alike
		}
		return v
	}
	if c.Int("steps") <= 0 && c.Float64("minutes") <= 0 && !c.Bool("export") && c.String("write-val") == "" {
		return errors.New("train: give --steps or --minutes")
	}
	resume := c.Bool("resume") || c.Bool("export") // weights come from RUN-DIR/checkpoint.gob
	threads := c.Int("threads")
	if threads > 0 {
		runtime.GOMAXPROCS(max(threads, 2))
	}
	var cfgs []train.Config
	var logs []*log.Logger
	for i, kind := range kinds {
		arch := enhancer.DefaultArch
		switch kind {
		case enhancer.KindGhost:
		case enhancer.KindGRU:
			arch = enhancer.TwinArch
		default:
			return fmt.Errorf("train: unknown --arch %q (want ghostgru or gru)", kind)
		}
		switch g := c.String("graph"); g {
		case "v1", "":
			arch.Skip = c.Int("skip")
		case enhancer.GraphV2:
			arch.Graph, arch.Channels, arch.Skip = g, c.Int("channels"), 0
		default:
			return fmt.Errorf("train: unknown --graph %q (want v1 or v2)", g)
		}
		arch.Lookahead = c.Int("lookahead")
		arch.Features = c.Int("features")
		if err := arch.Validate(); err != nil {
			return fmt.Errorf("train: %v", err)
		}
		var start *enhancer.Model // --init
		if inits := c.StringSlice("init"); len(inits) > 0 && !resume {
			var err error
			if start, err = models.Load(inits[i]); err != nil {
				return fmt.Errorf("train: --init: %v", err)
			}
			if start.Arch != arch {
				return fmt.Errorf("train: --init %s: a %s model of %d features, look-ahead %d, skip %d does not match the %s being trained (%d, %d, %d)",
					inits[i], start.Arch.Kind, start.Arch.Features, start.Arch.Lookahead, start.Arch.Skip, arch.Kind, arch.Features, arch.Lookahead, arch.Skip)
			}
		}
		runDir := filepath.Join("train", "runs", arch.Kind+"-"+time.Now().UTC().Format("20060102-150405"))
		if len(dirs) > 0 {
			runDir = dirs[i]
		}
		if err := os.MkdirAll(runDir, 0o755); err != nil {
			return err
		}
		lf, err := os.OpenFile(filepath.Join(runDir, "train.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer lf.Close()
		w := c.App.ErrWriter
		if w == nil {
			w = os.Stderr
		}
		lg := log.New(io.MultiWriter(w, lf), "["+arch.Kind+"] ", log.LstdFlags)
		cfg := train.DefaultConfig(arch)
		cfg.Steps, cfg.Minutes = c.Int("steps"), c.Float64("minutes")
		cfg.Batch, cfg.Seed, cfg.Threads = c.Int("batch"), c.Uint64("seed"), threads
		cfg.LR, cfg.Decay, cfg.ValEvery = c.Float64("lr"), c.Float64("weight-decay"), c.Int("val-every")
		cfg.Mix.Seconds = c.Float64("seconds")
		cfg.Mix.SNRMin, cfg.Mix.SNRMax = c.Float64("snr-min"), c.Float64("snr-max")
		cfg.Mix.SNRPeaked, cfg.Mix.SNRMode = c.IsSet("snr-mode"), c.Float64("snr-mode")
		cfg.Loss.SDRWeight, cfg.Loss.UnderWeight = c.Float64("sdr-weight"), c.Float64("under-weight")
		for _, a := range c.StringSlice("ablate") {
			switch a {
			case "floor":
				cfg.Loss.GainFloor = math.Pow(10, -80.0/20)
			case "under":
				cfg.Loss.UnderWeight = 1
			case "sdr":
				cfg.Loss.SDRWeight = 0
			case "speech-aug":
				cfg.Mix.SpeedProb, cfg.Mix.SpeechEQProb = 0, 0
			case "noise-aug":
				cfg.Mix.NoiseEQProb, cfg.Mix.RumbleProb = 0, 0
			case "noise-mix":
				cfg.Mix.NoiseSpeedProb, cfg.Mix.NoiseMixProb = 0, 0
			default:
				return fmt.Errorf("train: unknown --ablate %q (want floor, under, sdr, speech-aug, noise-aug or noise-mix)", a)
			}
		}
		cfg.RunDir, cfg.Resume, cfg.Init = runDir, resume, start
		if len(outs) > 0 {
			cfg.Out = outs[i]
		}
		cfg.Logf = lg.Printf
		lg.Printf("ghostrnn train %v (%s, %d params), BLAS %s", os.Args[1:], arch.Kind, arch.Params(), train.BLASName)
		cfgs = append(cfgs, cfg)
		logs = append(logs, lg)
	}
	corpus, err := train.LoadCorpus(train.CorpusConfig{
		Data: c.String("data"), Speech: c.StringSlice("speech"), Noise: c.StringSlice("noise"), RIR: c.StringSlice("rir"),
	}, logs[0].Printf)
	if err != nil {
		return err
	}
	if dir := c.String("write-val"); dir != "" {
		return writeValSet(dir, train.ValSet(corpus, train.DefaultConfig(enhancer.DefaultArch).ValClips))
	}
	var ts []*train.Trainer
	for _, cfg := range cfgs {
		if c.Bool("export") {
			cfg.Steps = 1
		}
		tr, err := train.NewTrainer(cfg, corpus)
		if err != nil {
			return err
		}
		if c.Bool("export") {
			if err := tr.SaveBest(); err != nil {
				return err
			}
			if err := tr.Plot(); err != nil {
				return err
			}
			continue
		}
		ts = append(ts, tr)
	}
	if c.Bool("export") {
		return nil
	}
	if p := c.String("cpuprofile"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = train.RunTogether(ctx, ts)
	if errors.Is(err, context.Canceled) {
		logs[0].Printf("stopped; continue with the same command and --resume")
		return nil
	}
	return err
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
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			w, err := audio.CreateWAV(f, audio.Format{SampleRate: train.SampleRate, Channels: 1, Encoding: audio.PCM16, Bits: 16})
			if err == nil {
				err = w.Write(x)
			}
			if err == nil {
				err = w.Close()
			}
			if err2 := f.Close(); err == nil {
				err = err2
			}
			if err != nil {
				return fmt.Errorf("%s: %v", p, err)
			}
		}
	}
	return nil
}
