#!/usr/bin/env bash
# Scores models on two listening cases, into each run folder as example.json
# and rumble.json (experiments/ablation.py adds them as columns): the bundled
# example (testdata/example, 5 dB of pink noise, hum and rumble), and the
# example's clean speech with brown noise low-passed at 100 Hz at 0 dB SNR,
# the low rumble the issue asks the noise augmentation to handle (sox -R: the
# same noise every run). Prints the rumble input's own scores first.
# Usage: experiments/listen.sh RUN-DIR... (each with best.safetensors); binary:
# $GHOSTRNN or ./ghostrnn. Needs sox.
set -euo pipefail
bin=${GHOSTRNN:-./ghostrnn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clean=testdata/example/clean.wav
sox -R -n -r 16000 -c 1 -b 16 "$tmp/brown.wav" synth "$(soxi -D "$clean")" brownnoise lowpass 100 norm -6
ps=$(sox "$clean" -n stat 2>&1 | awk '/RMS     amplitude/{print $3}')
pn=$(sox "$tmp/brown.wav" -n stat 2>&1 | awk '/RMS     amplitude/{print $3}')
sox -m -v 1 "$clean" -v "$(awk -v s="$ps" -v n="$pn" 'BEGIN{print s/n}')" "$tmp/brown.wav" -b 32 -e float "$tmp/rumble.wav"
echo "rumble input:"; "$bin" eval --ref "$clean" --deg "$tmp/rumble.wav" | tail -1
for dir in "$@"; do
	for case in example:testdata/example/noisy.wav rumble:$tmp/rumble.wav; do
		"$bin" denoise --model "$dir/best.safetensors" "${case#*:}" -o "$tmp/out.wav" --force >/dev/null
		"$bin" eval --ref "$clean" --deg "$tmp/out.wav" --json >"$dir/${case%%:*}.json"
	done
done
