#!/usr/bin/env bash
# Every README screenshot of the real app, in one run under Xvfb (needs xvfb, xdotool,
# imagemagick, mesa-vulkan-drivers), into assets/screenshots/, in a 1440x1000 window:
#   1. the demo: the quick Vanilla model's Errors (slice sf_2) and Map; Vanilla + SBL trained
#      (Train, Compare, Indicators); the Filter builder writing `x1 BETWEEN 0 AND 1`; the Diff tab
#      (quick Vanilla against SBL on sf_2); last, the 15 slices of assets/slices/figure1_grid.toml
#      opened through Slices → Open… (Errors);
#   2. ../shared/data/digits.csv: the quick model, the slice `label = 8`, its misread row drawn as
#      a picture in the row inspector, then its feature distributions;
#   3. aggregate mode: assets/slices/census.toml opened, then File → Open logs (aggregate mode)…
#      on tests/data/census_sample.csv (label income, prediction column pred, both guessed), Count,
#      the slice female selected (Errors), then Compare;
#   4. tests/data/post_outcome.csv: the open dialog's column list, the notices after the quick
#      model, the Importance tab (all rows and the slice age < 30), and after Leave out and retrain.
# The clicks are positions in that window: move them if a layout changes, and look at every PNG.
# Usage: scripts/screenshots.sh [BINARY] [DIGITS_CSV]. The binary needs the engine feature
# (`cargo build --release --features engine`) for part 3; pass a copy of it (others may rebuild
# target/release while this runs). SCREENSHOT_DISPLAY picks the X display (:97).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/release/slicelab}")
data=$(realpath "${2:-../shared/data/digits.csv}")
out=$PWD/assets/screenshots
grid=$PWD/assets/slices/figure1_grid.toml
census_slices=$PWD/assets/slices/census.toml
census=$PWD/tests/data/census_sample.csv
display=${SCREENSHOT_DISPLAY:-:97}
home=$(mktemp -d)
# slicelab's own file chooser: no desktop portal answers under Xvfb.
export DISPLAY=$display WGPU_BACKEND=vulkan RAYON_NUM_THREADS=1 HOME=$home XDG_DATA_HOME=$home \
    SLICELAB_FILE_DIALOG=builtin
app=
Xvfb "$display" -screen 0 1440x1000x24 >/dev/null 2>&1 & xvfb=$!
trap 'kill $app $xvfb 2>/dev/null; rm -rf "$home"' EXIT
sleep 2

shot() { sleep "$2"; import -window root "$out/$1.png"; }
# Moves first and clicks after a frame, so egui sees the pointer over the widget before the press.
click() { xdotool mousemove "$1" "$2"; sleep 0.3; xdotool click 1; sleep "${3:-0.5}"; }
# Starts the app (arguments: its own) with its window filling the screen, focused for typing.
start() {
    (cd "$home" && exec "$bin" "$@" >/dev/null 2>&1) & app=$!
    sleep 12
    local win
    win=$(xdotool search --name slicelab | head -1)
    xdotool windowmove "$win" 0 0 windowsize "$win" 1440 1000 windowfocus "$win"
    sleep 1
}
quit() { kill "$app"; wait "$app" 2>/dev/null || true; app=; rm -rf "${home:?}"/*; }

# 1. The demo (its quick Vanilla model trains as it loads).
start
click 388 167; shot errors 2   # select sf_2: confusion matrix, per class and rows
click 447 43; shot map 2
click 579 43; click 413 190    # Train tab, Start training (Vanilla + SBL, 30 epochs)
shot train 10
sleep 40                       # let both runs finish
click 644 43; shot compare 2
click 512 43; sleep 1; click 420 93; shot indicators 4
click 393 43                   # Errors
click 57 345                   # open the Filter builder
click 180 368; xdotool type x1; xdotool key Return; sleep 1     # its column picker: x1
click 166 464 1; xdotool key ctrl+a; xdotool type 0; xdotool key Return   # BETWEEN: from 0
click 85 528                   # Add to expression
shot filter_builder 1
click 706 43; shot model_diff 2   # Diff: the quick Vanilla model against SBL on sf_2
click 93 61 1                  # Slices → Open…: slicelab's chooser, its path field
click 275 102; xdotool key ctrl+a; xdotool type --delay 20 "$grid"; xdotool key Return
sleep 2
click 393 43; click 407 420    # Errors, select right_high (the 14th of the 15 slices)
shot many_slices 3
quit

# 2. The digits: the row inspector and the distributions.
start "$data" --label label
click 452 116 25               # Train a quick Vanilla model
click 100 210                  # the expression field
xdotool type --delay 80 "label = 8"; sleep 2
click 41 281 3                 # Add slice
# select label_8 in the Errors table (a click as the new slice's row appears can be lost: until its
# name turns blue, click again)
for _ in 1 2 3 4 5; do
    click 396 144 3
    [[ $(import -window root -crop 1x1+372+138 -depth 8 txt:- | tail -1) == *'#005C80'* ]] && break
done
click 500 523 2                # misclassified only: its one misread row comes first
click 430 591 2                # that row: details and picture
click 500 523 2                # all the slice's rows again, the misread one still selected
shot inspect_digits 0
click 467 500 3                # Distributions
shot distributions 0
quit

# 3. Aggregate mode on the census fixture.
start
click 93 61 1                  # Slices → Open…: the census slices
click 275 102; xdotool key ctrl+a; xdotool type --delay 20 "$census_slices"; xdotool key Return
sleep 2
click 25 12; click 105 177 1   # File → Open logs (aggregate mode)…
click 328 100; xdotool type --delay 10 "$census"
click 70 146 3                 # Read columns: label income and prediction pred are guessed
click 48 479 5                 # Count
click 395 185 2                # select female
shot aggregate_errors 0
click 644 43; shot aggregate_compare 2
quit

# 4. Leakage on tests/data/post_outcome.csv (the open dialog shows: the label is guessed).
# Collapsing headers animate, and egui under Xvfb repaints only on input: the pointer is moved.
wiggle() { for i in 1 2 3 4 5; do xdotool mousemove 1300 $((900 + i * 3)); sleep 0.3; done; }
start "$PWD/tests/data/post_outcome.csv"
click 60 416 1; wiggle         # Features: the suspects first, a box per column
shot open_columns 0
click 46 718 4                 # Open
click 452 208 20; wiggle       # Train a quick Vanilla model: the model check's notice on top
shot notices 0
click 773 183 5                # Importance
click 148 301; xdotool type "young"
click 178 348; xdotool type "age < 30"; sleep 2
click 40 421 6; wiggle         # Add slice (selected): its own table beside all rows
shot importance 0
click 437 260 25; wiggle       # Leave out and retrain
shot retrained 0
