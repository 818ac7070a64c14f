#!/usr/bin/env bash
# The GPU path, checked on a machine with an NVIDIA GPU: builds slicelab with CUDA, trains the
# figure1 demo (Vanilla and SBL, 3 seeds) on the GPU and on the CPU, and prints side by side the
# s/epoch on each device, the per-slice test F1 (they must agree within seed noise; the same seed
# need not give the same bits on both) and the peak GPU memory (nvidia-smi). A second step times
# SBL with k = 100 slices on the GPU. Exits non-zero when a run fails or the F1 disagree.
# Fits in 10 minutes on one GPU (most of it the release build).
#
# Usage: scripts/gpu-check.sh [--cpu-only] [--quick]
#   --cpu-only  the CPU half alone (what CI's tests run, so the script cannot rot)
#   --quick     small settings (600 rows, 2 epochs, 2 seeds)
#   SLICELAB=path/to/binary skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
CPU_ONLY=0
N=10000 EPOCHS=30 SEEDS=3 K=100
for a in "$@"; do
  case "$a" in
    --cpu-only) CPU_ONLY=1 ;;
    --quick) N=600 EPOCHS=2 SEEDS=2 K=10 ;;
    *) echo "unknown option $a (use --cpu-only, --quick)" >&2; exit 2 ;;
  esac
done
BIN=${SLICELAB:-}
if [ -z "$BIN" ]; then
  if [ "$CPU_ONLY" = 1 ]; then cargo build --release; else cargo build --release --features cuda; fi
  BIN=target/release/slicelab
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

train() { # device, out dir, epochs, extra flags...
  local device=$1 dir=$2 epochs=$3; shift 3
  "$BIN" train --demo figure1 --n "$N" --epochs "$epochs" --device "$device" --out "$dir" "$@" \
    > "$dir.txt" 2> "$dir.err" || { cat "$dir.err" >&2; echo "FAILED: train on $device" >&2; exit 1; }
}

DEVICES=(cpu)
[ "$CPU_ONLY" = 1 ] || DEVICES=(cuda cpu)
PEAK=""
for d in "${DEVICES[@]}"; do
  if [ "$d" = cuda ] && command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
    (while true; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits; sleep 0.5; done) \
      > "$OUT/mem.txt" 2> /dev/null &
    WATCH=$!
  fi
  train "$d" "$OUT/$d" "$EPOCHS" --method vanilla,sbl --seeds "$SEEDS"
  if [ -n "${WATCH:-}" ]; then
    kill "$WATCH" 2> /dev/null || true
    PEAK=$(sort -n "$OUT/mem.txt" | tail -1)
    unset WATCH
  fi
done

# Side by side: device, method, s/epoch, overall and per-slice test F1 (mean ± std over seeds).
python3 - "$OUT" "${DEVICES[@]}" <<'PY'
import json, sys
out, devices = sys.argv[1], sys.argv[2:]
reports = {d: json.load(open(f"{out}/{d}/report.json")) for d in devices}
for d, r in reports.items():
    assert r.get("device") == d, f"asked for {d}, report.json says it trained on {r.get('device')}"
print(f"{'device':<7}{'method':<9}{'s/epoch':>9}  {'overall F1':>16}  per-slice F1")
for d, r in reports.items():
    for m in r["methods"]:
        f1 = m["overall"]["f1"]
        slices = ", ".join(
            f"{s['name']} {s['f1']['mean']:.3f}" for s in m["slices"] if s.get("f1"))
        print(f"{d:<7}{m['method']:<9}{m['epoch_secs']:>9.4f}  "
              f"{f1['mean']:.3f} ± {f1.get('std') or 0:.3f}  {slices}")
if len(devices) == 2:
    bad = []
    a, b = (reports[d] for d in devices)
    for ma, mb in zip(a["methods"], b["methods"]):
        for sa in ma["slices"] + [dict(name="overall", f1=ma["overall"]["f1"])]:
            sb = next((s for s in mb["slices"] if s["name"] == sa["name"]),
                      dict(f1=mb["overall"]["f1"]) if sa["name"] == "overall" else None)
            if not (sa.get("f1") and sb and sb.get("f1")):
                continue
            spread = max(sa["f1"].get("std") or 0, sb["f1"].get("std") or 0, 0.02)
            if abs(sa["f1"]["mean"] - sb["f1"]["mean"]) > 3 * spread:
                bad.append(f"{ma['method']} {sa['name']}: {sa['f1']['mean']:.3f} vs {sb['f1']['mean']:.3f}")
    if bad:
        print("F1 differs between devices beyond seed noise: " + "; ".join(bad))
        sys.exit(1)
    print("per-slice F1 agrees between devices within seed noise")
PY
[ -n "$PEAK" ] && echo "peak GPU memory: ${PEAK} MiB (nvidia-smi, sampled every 0.5 s)"

# SBL with many slices: the k = $K scaling case on the first device.
train "${DEVICES[0]}" "$OUT/k$K" 2 --method sbl --seeds 1 --k "$K"
grep -E "^sbl: " "$OUT/k$K.txt" | head -1 | sed "s/^/k = $K on ${DEVICES[0]}: /"
echo "gpu-check: ok"
