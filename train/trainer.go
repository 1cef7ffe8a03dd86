package train

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	rand2 "math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/internal/atomicfile"
	"github.com/ghostrnn/ghostrnn/models"
)

// Config is a training run.
type Config struct {
	Arch     enhancer.Arch
	Loss     LossConfig
	Mix      MixConfig
	Batch    int     // sequences per step (8)
	Steps    int     // optimiser steps; 0 with Minutes > 0 means "until the time is up"
	Minutes  float64 // wall-time budget; the LR schedule follows whichever of steps/time runs out first
	Seed     uint64  // initialisation and data seed
	Threads  int     // BLAS threads
	Workers  int     // data-generation goroutines (default: GOMAXPROCS)
	LR       float64 // peak learning rate (2e-3)
	MinLR    float64 // final learning rate of the cosine schedule (5e-5)
	Warmup   int     // linear warm-up steps (300)
	Clip     float64 // global gradient-norm clip (1)
	Decay    float64 // decoupled (AdamW) weight decay on matrices (0)
	ValEvery int     // steps between validations and checkpoints (1000)
	ValClips int     // validation examples per condition (12)
	RunDir   string  // checkpoints, log.jsonl, curves.png
	Out      string  // best model (safetensors); empty: RunDir/best.safetensors
	KeepLast bool    // Out gets the last weights instead of the best-scoring ones
	Resume   bool    // continue from RunDir/checkpoint.gob
	// Ablate names guards of the recipe to turn off (see Ablations);
	// NewTrainer applies them over Loss and Mix.
	Ablate []string
	// Init, when set and not resuming, holds the starting weights instead
	// of a random initialisation (fine-tuning; the optimiser starts fresh).
	// Its Arch must equal Arch. It is not stored in checkpoints.
	Init *enhancer.Model
	Logf func(format string, args ...any)
}

// DefaultConfig returns the shipped recipe for arch a.
func DefaultConfig(a enhancer.Arch) Config {
	return Config{
		Arch: a, Loss: DefaultLoss, Mix: DefaultMix, Batch: 8, Seed: 1, Threads: 1,
		LR: 2e-3, MinLR: 5e-5, Warmup: 300, Clip: 1, ValEvery: 1000, ValClips: 12,
	}
}

// Ablation is one guard of the training recipe that Config.Ablate can turn
// off, to measure what it does.
type Ablation struct {
	Name, Usage string
	apply       func(*Config)
}

// Ablations lists the guards Config.Ablate can turn off.
var Ablations = []Ablation{
	{"floor", "gain floor −80 dB instead of −30", func(c *Config) { c.Loss.GainFloor = math.Pow(10, -80.0/20) }},
	{"under", "over-suppression weighted 1×", func(c *Config) { c.Loss.UnderWeight = 1 }},
	{"sdr", "no SDR term", func(c *Config) { c.Loss.SDRWeight = 0 }},
	{"speech-aug", "no speed/EQ on speech", func(c *Config) { c.Mix.SpeedProb, c.Mix.SpeechEQProb = 0, 0 }},
	{"noise-aug", "no EQ/tilt/rumble on noise", func(c *Config) { c.Mix.NoiseEQProb, c.Mix.RumbleProb = 0, 0 }},
	{"noise-mix", "no noise resampling or second noise", func(c *Config) { c.Mix.NoiseSpeedProb, c.Mix.NoiseMixProb = 0, 0 }},
	{"babble", "no on-the-fly babble noise", func(c *Config) { c.Mix.BabbleProb = 0 }},
	{"silence", "no inserted near-silent stretches", func(c *Config) { c.Mix.SilenceProb = 0 }},
}

// CheckAblations reports a name in c.Ablate that is not in Ablations.
func (c *Config) CheckAblations() error {
	for _, name := range c.Ablate {
		if !slices.ContainsFunc(Ablations, func(a Ablation) bool { return a.Name == name }) {
			names := make([]string, len(Ablations))
			for j, a := range Ablations {
				names[j] = a.Name
			}
			return fmt.Errorf("train: unknown ablation %q (want one of %s)", name, strings.Join(names, ", "))
		}
	}
	return nil
}

// applyAblations turns off the guards named in c.Ablate.
func (c *Config) applyAblations() error {
	if err := c.CheckAblations(); err != nil {
		return err
	}
	for _, a := range Ablations {
		if slices.Contains(c.Ablate, a.Name) {
			a.apply(c)
		}
	}
	return nil
}

// Record is one line of RunDir/log.jsonl.
type Record struct {
	Kind      string     `json:"kind"` // "train" or "val"
	Step      int        `json:"step"`
	Elapsed   float64    `json:"elapsed_s"`
	Loss      float64    `json:"loss,omitempty"`      // mean training loss since the previous record
	GradNorm  float64    `json:"grad_norm,omitempty"` // mean pre-clip gradient norm
	LR        float64    `json:"lr,omitempty"`
	FramesSec float64    `json:"frames_per_s,omitempty"`
	Val       *ValResult `json:"val,omitempty"`
	Best      bool       `json:"best,omitempty"`
}

// Checkpoint is the complete training state. The data of step s is drawn
// from PCG(Seed, s·2¹⁶ + sequence index) alone, so step, seed and the
// parameters with the Adam moments fully determine the continuation.
type Checkpoint struct {
	Version   int
	Config    Config
	Step      int
	Elapsed   float64 // seconds of training so far
	P, M, V   []float32
	BestScore float64
	BestStep  int
	BestP     []float32
	History   []Record
	Split     string
}

// Trainer runs the optimisation.
type Trainer struct {
	cfg    Config
	net    *Net[float32]
	corpus *Corpus
	val    []ValItem
	ck     Checkpoint
}

// NewTrainer prepares a run on corpus c, resuming if cfg.Resume.
func NewTrainer(cfg Config, c *Corpus) (*Trainer, error) {
	if cfg.Batch < 1 {
		return nil, errors.New("train: batch must be ≥ 1")
	}
	if cfg.Steps <= 0 && cfg.Minutes <= 0 {
		return nil, errors.New("train: give a number of steps or minutes")
	}
	if err := cfg.applyAblations(); err != nil {
		return nil, err
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Threads < 1 {
		cfg.Threads = 1
	}
	net, err := NewNet[float32](cfg.Arch)
	if err != nil {
		return nil, err
	}
	t := &Trainer{cfg: cfg, net: net, corpus: c}
	t.val = ValSet(c, cfg.ValClips)
	if cfg.RunDir != "" {
		if err := os.MkdirAll(cfg.RunDir, 0o755); err != nil {
			return nil, err
		}
	}
	if cfg.Resume {
		ck, err := LoadCheckpoint(filepath.Join(cfg.RunDir, "checkpoint.gob"))
		if err != nil {
			return nil, err
		}
		if ck.Config.Arch != cfg.Arch {
			return nil, fmt.Errorf("train: checkpoint is a %s model, not %s", ck.Config.Arch.Kind, cfg.Arch.Kind)
		}
		t.ck = *ck
		copy(net.P, ck.P)
		cfg.Logf("resumed at step %d (%.1f min trained, best score %.3f at step %d)", ck.Step, ck.Elapsed/60, ck.BestScore, ck.BestStep)
	} else {
		m := cfg.Init
		if m == nil {
			m = net.Model(float32(cfg.Loss.GainFloor))
			m.InitRandom(rand.New(rand.NewSource(int64(cfg.Seed))))
		} else {
			cfg.Logf("starting from the given weights (%s, %d params)", m.Arch.Kind, m.Arch.Params())
		}
		if err := net.SetModel(m); err != nil {
			return nil, err
		}
		t.ck = Checkpoint{Version: 1, P: net.P, M: make([]float32, len(net.P)), V: make([]float32, len(net.P)), BestScore: math.Inf(-1)}
	}
	t.ck.Config = cfg
	t.ck.Config.Logf, t.ck.Config.Init = nil, nil
	t.ck.Split = c.SplitMeta()
	t.ck.P = net.P
	return t, nil
}

// Net returns the trainable network.
func (t *Trainer) Net() *Net[float32] { return t.net }

// Step returns the number of optimiser steps taken.
func (t *Trainer) Step() int { return t.ck.Step }

// Checkpoint returns the current training state (shared, not a copy).
func (t *Trainer) Checkpoint() *Checkpoint { return &t.ck }

// MakeBatch generates the training batch of step s: sequence i is drawn from
// PCG(seed, s·2¹⁶ + i), in parallel over workers goroutines.
func MakeBatch(cfg *Config, c *Corpus, s int, workers int) *Batch {
	h := dsp.DefaultConfig.Hop
	n := int(cfg.Mix.Seconds*SampleRate) / h * h
	sp := make([]Spectra, cfg.Batch)
	var wg sync.WaitGroup
	next := make(chan int, cfg.Batch)
	for i := 0; i < cfg.Batch; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < max(workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rng := rand2.New(rand2.NewPCG(cfg.Seed, uint64(s)<<16|uint64(i)))
				x, y := Mixture(rng, cfg.Mix, c.Speech, c.Noise, c.RIR, n)
				sp[i] = analyzeFor(cfg.Arch, x, y, cfg.Loss.Compress)
			}
		}()
	}
	wg.Wait()
	return NewBatch(sp, cfg.Arch.InputSize(), cfg.Arch.Bins)
}

// lr returns the learning rate at step s and training progress p in [0, 1]:
// linear warm-up over Warmup steps, then cosine decay from LR to MinLR.
func (c *Config) lr(s int, p float64) float64 {
	w := 1.0
	if c.Warmup > 0 && s < c.Warmup {
		w = float64(s+1) / float64(c.Warmup)
	}
	p = min(max(p, 0), 1)
	return w * (c.MinLR + (c.LR-c.MinLR)*0.5*(1+math.Cos(math.Pi*p)))
}

// ErrDiverged reports a NaN or exploding loss.
var ErrDiverged = errors.New("train: loss diverged")

// TrainStep runs forward, loss, backward, clipping and one Adam update on b,
// returning the loss and the pre-clip gradient norm.
func (t *Trainer) TrainStep(b *Batch, lr float64) (loss, gnorm float64) {
	n := t.net
	g := n.Forward(b.Feat, b.B, b.T)
	loss = LossDF(t.cfg.Loss, g, n.DFCoeffs(), &b.Targets, n.DOut(), n.DDF())
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, math.NaN()
	}
	n.Backward()
	var ss float64
	for _, v := range n.Grad {
		ss += float64(v) * float64(v)
	}
	gnorm = math.Sqrt(ss)
	if math.IsNaN(gnorm) || math.IsInf(gnorm, 0) {
		return loss, gnorm
	}
	gs := 1.0
	if t.cfg.Clip > 0 && gnorm > t.cfg.Clip {
		gs = t.cfg.Clip / gnorm
	}
	t.adam(lr, gs)
	t.ck.Step++
	return loss, gnorm
}

// adam applies one Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) update with gradient scale
// gs and optional decoupled weight decay on weight matrices.
func (t *Trainer) adam(lr, gs float64) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	s := float64(t.ck.Step + 1)
	c1, c2 := 1-math.Pow(b1, s), 1-math.Pow(b2, s)
	p, m, v, g := t.net.P, t.ck.M, t.ck.V, t.net.Grad
	step := float32(lr / c1)
	ic2 := float32(1 / c2)
	for i := range p {
		gi := g[i] * float32(gs)
		m[i] = b1*m[i] + (1-b1)*gi
		v[i] = b2*v[i] + (1-b2)*gi*gi
		p[i] -= step * m[i] / (float32(math.Sqrt(float64(v[i]*ic2))) + eps)
	}
	if t.cfg.Decay > 0 {
		off := 0
		for _, ts := range t.cfg.Arch.Tensors() {
			if len(ts.Shape) == 2 {
				for i := off; i < off+ts.Size(); i++ {
					p[i] -= float32(lr * t.cfg.Decay * float64(p[i]))
				}
			}
			off += ts.Size()
		}
	}
}

// Model returns the current weights as a model with the run's metadata.
func (t *Trainer) Model(p []float32) *enhancer.Model {
	m := t.net.Model(float32(t.cfg.Loss.GainFloor))
	off := 0
	for _, ts := range t.cfg.Arch.Tensors() {
		copy(m.Weights[ts.Name], p[off:off+ts.Size()])
		off += ts.Size()
	}
	c := t.cfg
	snrDist := "uniform"
	if c.Mix.SNRPeaked {
		snrDist = fmt.Sprintf("triangular, mode %g dB", c.Mix.SNRMode)
	}
	m.Meta["recipe"] = fmt.Sprintf("ghostrnn train: seed=%d batch=%d seq=%gs steps=%d lr=%g→%g warmup=%d cosine clip=%g decay=%g; loss: |.|^%g 0.7·mag(under×%g)+0.3·complex+%g·SDR(dB, cap %g dB), floor %.1f dB; mix: SNR %g…%g dB (%s), %.0f%% noise-only, %.0f%% clean, level %g…%g dBFS, speed 0.9–1.1 p=%g, speech EQ p=%g, noise EQ+tilt p=%g, noise speed 0.7–1.4 p=%g, second noise p=%g, rumble p=%g, bandlimit p=%g, reverb p=%g (early 50 ms target)",
		c.Seed, c.Batch, c.Mix.Seconds, t.ck.Step, c.LR, c.MinLR, c.Warmup, c.Clip, c.Decay, c.Loss.Compress, c.Loss.UnderWeight, c.Loss.SDRWeight, c.Loss.sdrCap(),
		20*math.Log10(c.Loss.GainFloor), c.Mix.SNRMin, c.Mix.SNRMax, snrDist, 100*c.Mix.NoiseOnly, 100*c.Mix.CleanOnly,
		c.Mix.LevelMin, c.Mix.LevelMax, c.Mix.SpeedProb, c.Mix.SpeechEQProb, c.Mix.NoiseEQProb, c.Mix.NoiseSpeedProb, c.Mix.NoiseMixProb, c.Mix.RumbleProb, c.Mix.BandLimitProb, c.Mix.ReverbProb)
	m.Meta["recipe"] += fmt.Sprintf(", babble of 3–8 training talkers p=%g (reverb p=%g, + noise p=%g, SNR ≥ %g dB), near-silent stretch p=%g",
		c.Mix.BabbleProb, c.Mix.BabbleReverbProb, c.Mix.BabbleNoiseProb, c.Mix.BabbleSNRMin, c.Mix.SilenceProb)
	m.Meta["split"] = t.ck.Split
	m.Meta["train_steps"] = strconv.Itoa(t.ck.Step)
	m.Meta["best_step"] = strconv.Itoa(t.ck.BestStep)
	return m
}

// Run trains until the step or time budget is spent, ctx is cancelled (a
// checkpoint is saved first), or the loss diverges (the last good checkpoint
// stays on disk and ErrDiverged is returned).
func (t *Trainer) Run(ctx context.Context) error { return RunTogether(ctx, []*Trainer{t}) }

// RunTogether trains several models in lockstep on the same batches: one data
// pipeline feeds every trainer, and each step the trainers update in
// parallel goroutines. They must share the seed, batch size, mixture recipe
// and current step; each keeps its own checkpoint, log and schedule. This
// halves the data cost when a model and its twin are trained on one machine,
// and the twins see exactly the same examples.
func RunTogether(ctx context.Context, ts []*Trainer) error {
	if len(ts) == 0 {
		return errors.New("train: nothing to train")
	}
	cfg := &ts[0].cfg
	for _, t := range ts[1:] {
		c := &t.cfg
		if c.Seed != cfg.Seed || c.Batch != cfg.Batch || c.Mix != cfg.Mix || c.Loss.Compress != cfg.Loss.Compress ||
			c.Arch.Features != cfg.Arch.Features || c.Arch.Bins != cfg.Arch.Bins || t.ck.Step != ts[0].ck.Step {
			return errors.New("train: models trained together need the same seed, batch, recipe and step")
		}
	}
	SetThreads(cfg.Threads)
	type item struct {
		step int
		b    *Batch
	}
	batches := make(chan item, 2)
	stop := make(chan struct{})
	defer close(stop)
	go func(s int) {
		for ; ; s++ {
			w := cfg.Workers
			if w < 1 {
				w = runtime.GOMAXPROCS(0)
			}
			b := MakeBatch(cfg, ts[0].corpus, s, w)
			select {
			case batches <- item{s, b}:
			case <-stop:
				return
			}
		}
	}(ts[0].ck.Step)
	st := make([]*runState, len(ts))
	for i, t := range ts {
		st[i] = &runState{start: time.Now(), elapsed0: t.ck.Elapsed, lastLog: time.Now()}
	}
	for {
		done := true
		for _, t := range ts {
			if t.progress() < 1 {
				done = false
			}
		}
		if done {
			break
		}
		select {
		case <-ctx.Done():
			for _, t := range ts {
				t.cfg.Logf("interrupted at step %d; saving checkpoint", t.ck.Step)
				if err := t.save(); err != nil {
					return err
				}
			}
			return ctx.Err()
		default:
		}
		it := <-batches
		errs := make([]error, len(ts))
		var wg sync.WaitGroup
		for i, t := range ts {
			if it.step != t.ck.Step {
				return fmt.Errorf("train: internal error: batch %d for step %d", it.step, t.ck.Step)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = t.step(st[i], it.b)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if ts[0].ck.Step%cfg.ValEvery == 0 {
			if err := validateAll(ts); err != nil {
				return err
			}
		}
	}
	if ts[0].ck.Step%cfg.ValEvery != 0 {
		if err := validateAll(ts); err != nil {
			return err
		}
	}
	for _, t := range ts {
		t.cfg.Logf("done: %d steps in %.1f min; best score %.3f at step %d", t.ck.Step, t.ck.Elapsed/60, t.ck.BestScore, t.ck.BestStep)
	}
	return nil
}

func validateAll(ts []*Trainer) error {
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = t.validateAndSave()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// runState is the bookkeeping of one trainer inside RunTogether.
type runState struct {
	start, lastLog   time.Time
	elapsed0         float64
	sumLoss, sumNorm float64
	nLoss, frames    int
	good             []float64 // recent losses for explosion detection
}

func (t *Trainer) progress() float64 {
	p := 0.0
	if t.cfg.Steps > 0 {
		p = float64(t.ck.Step) / float64(t.cfg.Steps)
	}
	if t.cfg.Minutes > 0 {
		p = max(p, t.ck.Elapsed/(t.cfg.Minutes*60))
	}
	return p
}

// step trains on one batch and keeps the logs.
func (t *Trainer) step(rs *runState, b *Batch) error {
	cfg := &t.cfg
	lr := cfg.lr(t.ck.Step, t.progress())
	loss, gn := t.TrainStep(b, lr)
	t.ck.Elapsed = rs.elapsed0 + time.Since(rs.start).Seconds()
	if math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(gn) || math.IsInf(gn, 0) || t.exploded(rs.good, loss) {
		return fmt.Errorf("%w at step %d (%s): loss %v, gradient norm %v; the last good checkpoint is in %s", ErrDiverged, t.ck.Step, cfg.Arch.Kind, loss, gn, cfg.RunDir)
	}
	rs.good = append(rs.good, loss)
	if len(rs.good) > 200 {
		rs.good = rs.good[1:]
	}
	rs.sumLoss += loss
	rs.sumNorm += gn
	rs.nLoss++
	rs.frames += b.B * b.T
	if time.Since(rs.lastLog) > 30*time.Second || t.ck.Step%cfg.ValEvery == 0 {
		r := Record{Kind: "train", Step: t.ck.Step, Elapsed: t.ck.Elapsed, Loss: rs.sumLoss / float64(rs.nLoss), GradNorm: rs.sumNorm / float64(rs.nLoss), LR: lr, FramesSec: float64(rs.frames) / time.Since(rs.lastLog).Seconds()}
		cfg.Logf("step %d  %.1f min  loss %.5f  |g| %.4f  lr %.2e  %.0f frames/s", r.Step, r.Elapsed/60, r.Loss, r.GradNorm, lr, r.FramesSec)
		t.record(r)
		rs.sumLoss, rs.sumNorm, rs.nLoss, rs.frames = 0, 0, 0, 0
		rs.lastLog = time.Now()
	}
	return nil
}

// exploded reports a loss above 50× the median of the recent good losses,
// both measured from the loss's lower bound −max(30, SDRCap)·SDRWeight (the
// SDR term rewards at most that many dB; the other terms are ≥ 0).
func (t *Trainer) exploded(recent []float64, loss float64) bool {
	if len(recent) < 50 {
		return false
	}
	lo := -max(30, t.cfg.Loss.sdrCap()) * t.cfg.Loss.SDRWeight
	s := append([]float64(nil), recent...)
	sort.Float64s(s)
	return loss-lo > 50*(s[len(s)/2]-lo)
}

func (t *Trainer) record(r Record) {
	t.ck.History = append(t.ck.History, r)
	if t.cfg.RunDir == "" {
		return
	}
	f, err := os.OpenFile(filepath.Join(t.cfg.RunDir, "log.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	b, _ := json.Marshal(r)
	f.Write(append(b, '\n'))
}

// ValidateNow scores the current weights on the validation set.
func (t *Trainer) ValidateNow() (ValResult, error) {
	return Validate(t.Model(t.net.P), t.val)
}

func (t *Trainer) validateAndSave() error {
	t0 := time.Now()
	v, err := t.ValidateNow()
	if err != nil {
		return err
	}
	best := v.Score > t.ck.BestScore
	if best {
		t.ck.BestScore, t.ck.BestStep = v.Score, t.ck.Step
		t.ck.BestP = append(t.ck.BestP[:0], t.net.P...)
	}
	t.cfg.Logf("validation step %d (%.1fs): %s", t.ck.Step, time.Since(t0).Seconds(), v.Summary())
	t.record(Record{Kind: "val", Step: t.ck.Step, Elapsed: t.ck.Elapsed, Val: &v, Best: best})
	if err := t.save(); err != nil {
		return err
	}
	if best || t.cfg.KeepLast {
		if err := t.SaveBest(); err != nil {
			return err
		}
	}
	if err := t.Plot(); err != nil {
		t.cfg.Logf("plot: %v", err)
	}
	return nil
}

// Plot draws the run's history so far to RunDir/curves.png (see PlotCurves).
func (t *Trainer) Plot() error {
	if t.cfg.RunDir == "" {
		return nil
	}
	return PlotCurves(t.ck.History, filepath.Join(t.cfg.RunDir, "curves.png"))
}

// Export writes the best weights of the checkpoint in runDir (with last,
// its last weights, whatever the run kept) as a model file to out (empty: runDir/best.safetensors)
// and redraws runDir/curves.png. It reads nothing but the checkpoint: the
// architecture, recipe and split come from it.
func Export(runDir, out string, last bool) error {
	ck, err := LoadCheckpoint(filepath.Join(runDir, "checkpoint.gob"))
	if err != nil {
		return err
	}
	net, err := NewNet[float32](ck.Config.Arch)
	if err != nil {
		return fmt.Errorf("train: %s: %w", runDir, err)
	}
	if len(ck.P) != len(net.P) {
		return fmt.Errorf("train: %s: checkpoint has %d parameters, a %s needs %d", runDir, len(ck.P), ck.Config.Arch.Kind, len(net.P))
	}
	copy(net.P, ck.P)
	ck.P = net.P
	ck.Config.RunDir, ck.Config.Out = runDir, out
	ck.Config.KeepLast = last
	t := &Trainer{cfg: ck.Config, net: net, ck: *ck}
	if err := t.SaveBest(); err != nil {
		return err
	}
	return t.Plot()
}

// SaveBest writes the best weights so far (with KeepLast, the current
// ones) as a model file to Out, with the validation of that step when
// there was one.
func (t *Trainer) SaveBest() error {
	p, step := t.ck.BestP, t.ck.BestStep
	if p == nil || t.cfg.KeepLast {
		p, step = t.net.P, t.ck.Step
	}
	m := t.Model(p)
	m.Meta["best_step"] = strconv.Itoa(step)
	for _, r := range t.ck.History {
		if r.Kind == "val" && r.Step == step && r.Val != nil {
			b, _ := json.Marshal(r.Val)
			m.Meta["validation"] = string(b)
		}
	}
	out := t.cfg.Out
	if out == "" {
		if t.cfg.RunDir == "" {
			return nil
		}
		out = filepath.Join(t.cfg.RunDir, "best.safetensors")
	}
	if dir := filepath.Dir(out); dir != "" {
		os.MkdirAll(dir, 0o755)
	}
	return models.Save(out, m)
}

// Summary formats the headline numbers.
func (v ValResult) Summary() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "score %.3f ΔSI-SDR %.2f dB ΔSTOI %.3f clean %.1f dB noise-only −%.1f dB |", v.Score, v.MeanDelta, v.MeanDSTOI, v.CleanPass, v.NoiseAtt)
	for _, c := range v.Conds {
		if c.Cond != "clean" && c.Cond != "noise" {
			fmt.Fprintf(&b, " %s:%+.1f/%+.3f", c.Cond[4:], c.SISDROut-c.SISDRIn, c.STOIOut-c.STOIIn)
		}
	}
	return b.String()
}

func (t *Trainer) save() error {
	if t.cfg.RunDir == "" {
		return nil
	}
	return SaveCheckpoint(filepath.Join(t.cfg.RunDir, "checkpoint.gob"), &t.ck)
}

// SaveCheckpoint writes ck atomically (temporary file, then rename).
func SaveCheckpoint(path string, ck *Checkpoint) error {
	return atomicfile.Write(path, func(w io.Writer) error { return gob.NewEncoder(w).Encode(ck) })
}

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ck Checkpoint
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&ck); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	return &ck, nil
}
