#!/usr/bin/env bash
# Screenshots of the real app under Xvfb (needs xvfb, xdotool, imagemagick, mesa-vulkan-drivers):
# opens the demo, trains Vanilla + SBL, and captures each view into assets/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/slicelab}
out=assets/screenshots
home=$(mktemp -d)
export DISPLAY=:97 WGPU_BACKEND=vulkan RAYON_NUM_THREADS=1 HOME=$home XDG_DATA_HOME=$home
Xvfb :97 -screen 0 1280x800x24 >/dev/null 2>&1 & xvfb=$!
trap 'kill $app $xvfb 2>/dev/null; rm -rf "$home"' EXIT
sleep 2
"$bin" >/dev/null 2>&1 & app=$!
shot() { sleep "$2"; import -window root "$out/$1.png"; }
click() { xdotool mousemove "$1" "$2" click 1; }
sleep 12                       # the demo loads and its quick Vanilla model trains
click 388 167; shot errors 2   # select sf_2: confusion matrix and rows
click 447 43; shot map 2
click 579 43; click 413 167    # Train tab, Start training (Vanilla + SBL, 30 epochs)
shot train 10
sleep 40                       # let both runs finish
click 644 43; shot compare 2
click 512 43; sleep 1; click 420 93; shot indicators 4
