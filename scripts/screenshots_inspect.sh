#!/usr/bin/env bash
# Screenshots of the row inspector and the feature distributions on ../shared/data/digits.csv
# under Xvfb (needs xvfb, xdotool, imagemagick, mesa-vulkan-drivers): trains the quick model,
# adds the slice `label = 8`, opens the rows of its misread 8 and then its distributions, into
# assets/screenshots/inspect_digits.png and distributions.png. The clicks are positions in a
# 1440x1000 window: move them if the Errors layout changes. Pass a copy of the release binary
# (others may rebuild target/release while this runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/slicelab}
data=${2:-../shared/data/digits.csv}
out=assets/screenshots
home=$(mktemp -d)
export DISPLAY=:96 WGPU_BACKEND=vulkan RAYON_NUM_THREADS=1 HOME=$home XDG_DATA_HOME=$home
Xvfb :96 -screen 0 1440x1000x24 >/dev/null 2>&1 & xvfb=$!
trap 'kill $app $xvfb 2>/dev/null; rm -rf "$home"' EXIT
sleep 2
"$bin" "$data" --label label >/dev/null 2>&1 & app=$!
sleep 12
win=$(xdotool search --name slicelab | head -1)
xdotool windowsize "$win" 1440 1000 windowfocus "$win"
sleep 1
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-2}"; }
click 452 116 25                        # Train a quick Vanilla model
click 100 210 1                         # the expression field
xdotool type --delay 80 "label = 8"; sleep 2
click 41 258 3                          # Add slice
click 396 144 3                         # select label_8 in the Errors table
click 430 905 2                         # its misread row (predicted 1): details and picture
import -window root "$out/inspect_digits.png"
click 467 500 3                         # Distributions
import -window root "$out/distributions.png"
