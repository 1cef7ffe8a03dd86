#!/usr/bin/env python3
"""Prints the validation table of the best checkpoint of each training run as
Markdown, from RUN-DIR/log.jsonl. Usage: experiments/valtable.py RUN-DIR [RUN-DIR...]"""
import json, sys

def best(run):
    """The validation record of RUN-DIR's best checkpoint (else its last)."""
    rows = [json.loads(l) for l in open(f"{run}/log.jsonl") if '"val"' in l]
    b = [r for r in rows if r.get("best")]
    return (b or rows)[-1]

def main():
    runs = [(r, best(r)) for r in sys.argv[1:]]
    names = [r.rstrip("/").split("/")[-1] for r, _ in runs]
    print("| input | " + " | ".join(f"{n}: SI-SDR in → out (Δ) | {n}: STOI in → out" for n in names) + " |")
    print("|---|" + "---|---|" * len(runs))
    conds = [c["cond"] for c in runs[0][1]["val"]["conds"]]
    for cond in conds:
        cells = []
        for _, rec in runs:
            c = next(x for x in rec["val"]["conds"] if x["cond"] == cond)
            if cond == "clean":
                cells += [f"SI-SDR(out, clean in) {c['clean_sisdr']:.1f} dB", "–"]
            elif cond == "noise":
                cells += [f"attenuation {c['atten_db']:.1f} dB", "–"]
            else:
                cells += [f"{c['sisdr_in']:.1f} → {c['sisdr_out']:.1f} ({c['sisdr_out']-c['sisdr_in']:+.2f})",
                          f"{c.get('stoi_in',0):.3f} → {c.get('stoi_out',0):.3f} ({c.get('stoi_out',0)-c.get('stoi_in',0):+.3f})"]
        label = {"clean": "clean speech", "noise": "noise only"}.get(cond, cond.replace("snr=", "") + " dB SNR")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("| mean ΔSI-SDR / ΔSTOI | " + " | ".join(f"{r['val']['mean_delta_sisdr']:+.2f} dB | {r['val']['mean_delta_stoi']:+.3f}" for _, r in runs) + " |")
    print()
    print("Best checkpoints: " + ", ".join(f"{n} step {r['step']}" for n, (_, r) in zip(names, runs)))

if __name__ == "__main__":
    main()
