#!/usr/bin/env bash
# Makes testdata/example/{clean,noisy}.wav: espeak-ng speech mixed with
# synthetic noise (pink noise, a 100 Hz hum with harmonics and a little brown
# rumble) at 5 dB SNR, 16 kHz mono 16-bit. Needs espeak-ng and sox (Debian).
# The committed files were made by this script; re-running it may differ
# slightly with other espeak-ng or sox versions.
set -euo pipefail
cd "$(dirname "$0")/example"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
text="Noise suppression should remove the hum and hiss around my voice. \
Every word I say must stay clear, even when the fan in the room is loud. \
Please listen to the difference before and after."
espeak-ng -v en-us -s 150 -w "$tmp/tts.wav" "$text"
sox "$tmp/tts.wav" -r 16000 -c 1 -b 16 "$tmp/speech.wav" pad 0.5 0.5 norm -20
dur=$(soxi -D "$tmp/speech.wav")
sox -n -r 16000 -c 1 -b 16 "$tmp/pink.wav" synth "$dur" pinknoise vol 0.5
sox -n -r 16000 -c 1 -b 16 "$tmp/hum.wav" synth "$dur" sine 100 sine 200 sine 300 remix - vol 0.3
sox -n -r 16000 -c 1 -b 16 "$tmp/brown.wav" synth "$dur" brownnoise vol 0.4 lowpass 150
sox -m -v 1 "$tmp/pink.wav" -v 1 "$tmp/hum.wav" -v 1 "$tmp/brown.wav" "$tmp/noise.wav"
# Scale the noise so that the speech-to-noise ratio over the whole file is 5 dB.
ps=$(sox "$tmp/speech.wav" -n stat 2>&1 | awk '/RMS     amplitude/{print $3}')
pn=$(sox "$tmp/noise.wav" -n stat 2>&1 | awk '/RMS     amplitude/{print $3}')
gain=$(awk -v s="$ps" -v n="$pn" 'BEGIN{print s/n/10^(5/20)}')
sox -v "$gain" "$tmp/noise.wav" "$tmp/noise_scaled.wav"
cp "$tmp/speech.wav" clean.wav
sox -m -v 1 "$tmp/speech.wav" -v 1 "$tmp/noise_scaled.wav" -b 16 noisy.wav
soxi noisy.wav | grep -E 'Duration|Sample Rate'
