#!/usr/bin/env python3
"""Per-slice test F1 and seed-paired differences over Vanilla from `experiment compare` reports.

`slicelab experiment compare` pairs each method with Vanilla only inside one run. When the methods
of one setting ran as separate experiments (same settings, seeds, split and batch order: a run is
a function of its seed), this pairs them across the report.json files and prints Markdown tables:
per slice, each method's F1 mean ± std over seeds, then each method minus Vanilla on the same seed,
mean ± std over seeds, with the seeds it was ahead on.

Usage: scripts/paired-lifts.py REPORT.json [REPORT.json ...]
"""
import json
import statistics
import sys

ORDER = ["vanilla", "hps", "manual", "moe", "sbl"]
SUMMARY = ["overall", "worst slice", "mean slice"]


def load(paths):
    """(method, seed) -> {slice: test F1} with the worst and mean over the SF slices added."""
    runs = {}
    for path in paths:
        with open(path) as f:
            report = json.load(f)
        for run in report["runs"]:
            f1 = {r["name"]: r["scores"].get("f1") for r in run["test"]["rows"]}
            sf = [v for k, v in f1.items() if k != "overall" and v is not None]
            if sf:
                f1["worst slice"], f1["mean slice"] = min(sf), sum(sf) / len(sf)
            key = (run["method"], run["seed"])
            if key in runs:
                sys.exit(f"{path}: {run['method']} seed {run['seed']} is in two reports")
            runs[key] = f1
    return runs


def mean_std(values):
    values = [v for v in values if v is not None]
    if len(values) < 2:
        return "–"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def signed(x):
    return ("+" if x >= 0 else "−") + f"{abs(x):.3f}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = load(sys.argv[1:])
    methods = sorted({m for m, _ in runs}, key=lambda m: (ORDER + [m]).index(m))
    seeds = sorted({s for _, s in runs})
    names = list(dict.fromkeys(n for f1 in runs.values() for n in f1))
    slices = SUMMARY + [n for n in names if n not in SUMMARY]
    f1 = lambda m, s, n: runs.get((m, s), {}).get(n)
    print("| slice | " + " | ".join(methods) + " |")
    print("|---|" + "---:|" * len(methods))
    for n in slices:
        cells = [mean_std([f1(m, s, n) for s in seeds]) for m in methods]
        print(f"| {n} | " + " | ".join(cells) + " |")
    others = [m for m in methods if m != "vanilla"]
    if "vanilla" not in methods or not others:
        return
    print()
    print("| slice | " + " | ".join(f"{m} − vanilla" for m in others) + " |")
    print("|---|" + "---:|" * len(others))
    for n in slices:
        cells = []
        for m in others:
            pairs = [(f1(m, s, n), f1("vanilla", s, n)) for s in seeds]
            d = [a - b for a, b in pairs if a is not None and b is not None]
            if len(d) < 2:
                cells.append("–")
                continue
            ahead = sum(x > 0 for x in d)
            cells.append(f"{signed(statistics.mean(d))} ± {statistics.stdev(d):.3f} ({ahead}/{len(d)})")
        print(f"| {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
