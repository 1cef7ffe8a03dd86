#!/bin/sh
# Measures what each guard of the training recipe does: short runs of the
# GhostRNN, identical but for one guard turned off (ghostrnn train --ablate),
# two at a time (one per core), then one table row per run. Runs are counted
# in steps, not minutes, so that a busy machine changes how long they take but
# not what they learn. The default, 3,600 steps of batch 8, is the data of 900
# steps of batch 32; the whole script took 74 minutes here (12–16 minutes per
# pair, 20 for the group of three). It ends by scoring every run on the
# bundled example and a rumble mix (experiments/listen.sh, needs sox) and printing
# the table (experiments/ablation.py).
# Usage: experiments/ablate.sh [STEPS] (default 3600); binary: $GHOSTRNN or ./ghostrnn.
set -e
n=${1:-3600}
bin=${GHOSTRNN:-./ghostrnn}
run() { # name, extra flags
	"$bin" train --arch ghostgru --steps "$n" --threads 1 --seed 1 --batch 8 --val-every 600 \
		--run-dir "train/runs/ablate-$1" --out "train/runs/ablate-$1/best.safetensors" $2 >"train/runs/ablate-$1.out" 2>&1
}
run full "" & run no-sdr "--ablate sdr" & wait
run no-under "--ablate under" & run no-noise-aug "--ablate noise-aug" & wait
run no-speech-aug "--ablate speech-aug" & run no-floor "--ablate floor" & wait
run no-noise-mix "--ablate noise-mix" & run no-lookahead "--lookahead 0" & run bands-64 "--features 64" & wait
run no-skip "--skip 0" & run batch-32 "--batch 32 --steps $((n / 4))" & wait
dirs=$(for r in full no-sdr no-under no-noise-aug no-speech-aug no-floor no-noise-mix no-lookahead bands-64 no-skip batch-32; do
	echo "train/runs/ablate-$r"
done)
GHOSTRNN=$bin experiments/listen.sh $dirs
experiments/ablation.py $dirs
