#!/bin/sh
# Regenerates the small MP3 and FLAC fixtures used by the audio tests.
# Needs: apt-get install -y sox lame flac  (only to regenerate; tests use the files)
set -e
cd "$(dirname "$0")"
# 0.5 s of a 440 Hz tone at half scale, mono 16 kHz (MPEG-2 Layer III).
sox -n -r 16000 -c 1 -b 16 /tmp/tone_mono.wav synth 0.5 sine 440 vol 0.5
lame --quiet -b 32 /tmp/tone_mono.wav tone_mono.mp3
# 0.3 s, stereo 44.1 kHz (MPEG-1 Layer III): 440 Hz left, 1 kHz right.
sox -n -r 44100 -c 2 -b 16 /tmp/tone_stereo.wav synth 0.3 sine 440 sine 1000 vol 0.5
lame --quiet -b 128 --resample 44.1 /tmp/tone_stereo.wav tone_stereo.mp3
rm -f /tmp/tone_mono.wav /tmp/tone_stereo.wav
# 0.2 s mono 24 kHz FLAC from the reference encoder (its frame headers use
# the 24 kHz code, on which mewkiz/flac logs a notice per frame).
sox -n -r 24000 -c 1 -b 16 /tmp/tone24k.wav synth 0.2 sine 440 vol 0.5
flac --silent --force --no-padding -8 /tmp/tone24k.wav -o tone24k.flac
rm -f /tmp/tone24k.wav
