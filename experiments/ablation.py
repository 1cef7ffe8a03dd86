#!/usr/bin/env python3
"""Prints one Markdown row per training run (best checkpoint by validation
score) for comparing recipe variants: ΔSI-SDR at 0 and 5 dB input, ΔSTOI at
0 dB, the means over all SNRs, clean pass-through and noise-only attenuation,
and, where experiments/listen.sh has scored the run, SI-SDR / STOI on the bundled
example and SI-SDR on its rumble mix.
Usage: experiments/ablation.py RUN-DIR [RUN-DIR...]"""
import json
import os
import sys

from valtable import best


def listened(run, case):
    """The mean scores experiments/listen.sh wrote for case, or None."""
    p = os.path.join(run, case + ".json")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)["mean"]


extra = all(listened(r, "example") and listened(r, "rumble") for r in sys.argv[1:])
head = "| run | steps | ΔSI-SDR 0 dB | ΔSI-SDR 5 dB | ΔSTOI 0 dB | min ΔSTOI (≥ 5 dB) | mean ΔSI-SDR | mean ΔSTOI | clean pass | noise-only atten. |"
print(head + (" example SI-SDR / STOI | rumble SI-SDR |" if extra else ""))
print("|---" * (head.count("|") - 1 + (2 if extra else 0)) + "|")
for run in sys.argv[1:]:
    r = best(run)
    v = r["val"]
    c = {x["cond"]: x for x in v["conds"]}
    d = lambda k: c[k]["sisdr_out"] - c[k]["sisdr_in"]
    t = lambda k: c[k].get("stoi_out", 0) - c[k].get("stoi_in", 0)
    hi = min(t(k) for k in c if k.startswith("snr=") and float(k[4:]) >= 5)
    name = run.rstrip("/").split("/")[-1]
    print(f"| {name} | {r['step']} | {d('snr=0'):+.2f} | {d('snr=5'):+.2f} | {t('snr=0'):+.3f} | {hi:+.3f} | "
          f"{v['mean_delta_sisdr']:+.2f} | {v['mean_delta_stoi']:+.3f} | {v['clean_sisdr']:.1f} dB | {v['noise_atten_db']:.1f} dB |", end="")
    if extra:
        e, u = listened(run, "example"), listened(run, "rumble")
        print(f" {e['si_sdr']:.2f} / {e['stoi']:.3f} | {u['si_sdr']:.1f} |", end="")
    print()
