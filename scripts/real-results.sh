#!/usr/bin/env bash
# Regenerates docs/results/real/: Vanilla, HPS, MoE and SBL on real data with settings fixed
# before any run and the same for every method of a table (issue 16's benchmark).
#
#   rt-frozen   Rotten Tomatoes, MiniLM frozen (the settings of docs/results/text), 5 seeds
#   rt-tuned    Rotten Tomatoes, MiniLM's top N layers trained jointly with each model
#               (--tune-layers N, N in $TUNED_LAYERS, default "1 2"), 5 seeds, 3 epochs
#               (an epoch costs minutes on a CPU), encoder learning rate 5e-5
#   census      census income, without and with --class-weights balanced, each with overall
#               and mean-slice selection, 3 seeds (the settings of docs/results/census)
#   figure1     the paper's synthetic task, for reference, 5 seeds
#
# Usage: scripts/real-results.sh [SECTION...]   (default: all four; OUT=folder, default
# docs/results/real; SLICELAB=binary; SHARED=path to ../shared; TUNED_METHODS=methods of the
# tuned runs, default vanilla,hps,moe,sbl, written to rt-tuned-N-<methods> when not all four).
# Each run writes OUT/<name>/report.{md,json} and OUT/<name>/time.txt (wall time and peak RSS).
# Paired differences need Vanilla in the same run; for runs split over sittings,
# scripts/paired-lifts.py pairs seeds across report.json files.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SLICELAB:-target/release/slicelab}
OUT=${OUT:-docs/results/real}
SHARED=${SHARED:-../shared}
METHODS=vanilla,hps,moe,sbl
TUNED_METHODS=${TUNED_METHODS:-$METHODS}
TUNED_LAYERS=${TUNED_LAYERS:-1 2}
[ -x "$BIN" ] || cargo build --release
SECTIONS=("$@")
[ ${#SECTIONS[@]} -gt 0 ] || SECTIONS=(figure1 rt-frozen rt-tuned census)

run() {
  local name=$1
  shift
  mkdir -p "$OUT/$name"
  /usr/bin/time -o "$OUT/$name/time.txt" -f "%e s wall, %M KB peak RSS" \
    "$BIN" experiment compare "$@" --out "$OUT/$name"
}

needs_shared() {
  if [ ! -d "$SHARED/data" ]; then
    echo "skipped $1: no $SHARED/data (see README, Files in ../shared)"
    return 1
  fi
}

rt=(--data "$SHARED/data/rotten_tomatoes.csv" --label label --ignore movie --embed text
  --encoder "$SHARED/models/all-MiniLM-L6-v2" --slices assets/slices/rotten_tomatoes.toml
  --seeds 5 --hidden 64,64 --batch-size 64 --lr 0.001)
census=(--data "$SHARED/data/census_income_train.csv"
  --test "$SHARED/data/census_income_test.csv" --label income --ignore instance_weight
  --slices assets/slices/census.toml --seeds 3 --epochs 10 --hidden 64,64 --batch-size 128
  --lr 0.002 --method "$METHODS")

for section in "${SECTIONS[@]}"; do
  case $section in
    figure1) run figure1 --demo figure1 --seeds 5 --method "$METHODS" ;;
    rt-frozen) needs_shared "$section" && run rt-frozen "${rt[@]}" --epochs 20 --method "$METHODS" ;;
    rt-tuned)
      if needs_shared "$section"; then
        # A subset of the methods (to split the work over sittings) gets its own folder.
        suffix=
        [ "$TUNED_METHODS" = "$METHODS" ] || suffix=-${TUNED_METHODS//,/-}
        for n in $TUNED_LAYERS; do
          run "rt-tuned-$n$suffix" "${rt[@]}" --epochs 3 --tune-layers "$n" --encoder-lr 5e-5 \
            --method "$TUNED_METHODS"
        done
      fi
      ;;
    census)
      if needs_shared "$section"; then
        for weights in none balanced; do
          for select in overall mean-slice; do
            run "census-$weights-$select" "${census[@]}" --class-weights "$weights" \
              --select "$select"
          done
        done
      fi
      ;;
    *) echo "unknown section '$section' (figure1, rt-frozen, rt-tuned, census)" >&2; exit 2 ;;
  esac
done
