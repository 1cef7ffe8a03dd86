// Package train fits enhancer.Model weights by backpropagation through time
// over exactly the inference graph of docs/DESIGN.md:
//
//	noisy x ─dsp.Analyzer→ X[161] ─dsp.Featurizer→ f[F] ─dense,tanh→ GhostGRU/GRU ×L
//	  ─dense (+ feature skip from f)→ σ → g,  G = max(g, floor),  Y = G·X,  loss(Y, S)
//
// where S is the STFT of the clean target. The STFT and the features are not
// trained: they are computed once per training sequence (Analyze) from a
// fresh analyzer and featurizer, as a stream starts in inference.
//
// # Speed
//
// B sequences run in lockstep, stored time-major (row t·B + b), so every
// time-parallel part — the input dense, W_ih·x of each layer, the output
// dense, and all weight gradients — is one matrix product over T·B rows, and
// only the recurrence (W_hh·s, the ghost map and the gate arithmetic) is
// stepped, as [B, ·] products. float32 matrix products go to OpenBLAS
// through cgo when built with -tags openblas (Debian package
// libopenblas-dev), otherwise to gonum's pure-Go sgemm (about 2.5× slower).
// Transcendentals on the float32 path use expFast/logFast (error ≤ 1e-8,
// below float32 resolution) and the activations fastmath.Sigmoid32/Tanh32,
// the very functions enhancer.Net applies, which is why the training forward
// pass matches enhancer.Net's gains to float32 rounding.
//
// # Loss
//
// See LossConfig: compressed (|·|^0.3) magnitude MSE, 0.7, plus the compressed
// complex MSE, 0.3; magnitude errors where the output is below the target
// (speech removed) weigh 2×; the gain floor (−30 dB, saved as
// Model.GainFloor) is part of the graph.
//
// # Data
//
// LoadCorpus decodes all audio to memory at 16 kHz and holds out 10 % of the
// speakers and 10 % of the noise groups by a fixed hash (SplitRule), written
// into the model metadata ("split"). Mixture draws training examples on the
// fly (MixConfig): 3 s segments, SNR −5…20 dB, 10 % noise-only, 10 % clean,
// level −45…−10 dBFS without clipping, speed perturbation 0.9–1.1 by
// resampling, random EQ on speech and noise, spectral tilt, low-frequency
// rumble, band limitation, and reverberation (real or synthetic RIRs) with
// the first 50 ms of the response as the target. 3 s is long enough for the
// 1 s feature mean and the GRU state to settle within a segment, and short
// enough for many distinct segments per step. The data of step s depends on
// (seed, s) only, so a run is reproducible and resumable without saving any
// random-generator state.
//
// # Validation and operations
//
// ValSet builds fixed mixtures of held-out speech and noise at −5…20 dB SNR,
// clean input and noise only; Validate runs them through enhancer.Engine,
// the real streaming path, with its latency removed, and scores them with
// package metrics (metrics.SISDR, metrics.STOI: the definitions of ghostrnn
// eval). The best validation score selects the shipped weights.
// Measurements lists the tables ghostrnn train measure prints for finished
// model files (validation, targets, gap, by-noise, budget). Trainer.Run and RunTogether
// write RunDir/checkpoint.gob (weights, Adam moments, step, best weights,
// history), RunDir/log.jsonl, RunDir/curves.png and the best model file; a
// cancelled context saves a checkpoint; a NaN or exploding loss stops with
// ErrDiverged and leaves the last good checkpoint.
package train
