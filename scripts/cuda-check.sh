#!/usr/bin/env bash
# Compiles the CUDA build without a GPU: `cargo check --features cuda --all-targets`.
#
# candle's CUDA backend compiles its kernels with nvcc at build time, and cudarc reads the CUDA
# version from `nvcc --version`. The CUDA toolkit is not a Debian package here, so the NVIDIA
# Python wheels provide it, in a throwaway virtualenv outside the checkout: nvcc, ptxas and cicc
# (nvidia-cuda-nvcc, nvidia-nvvm), the crt and runtime headers (nvidia-cuda-crt,
# nvidia-cuda-runtime) and CCCL. CUDA 13.4 is pinned: cudarc 0.19 (candle 0.11) knows CUDA up to
# 13.4 and refuses 13.5. CUDA_COMPUTE_CAP fixes the kernels' target so nothing queries a device;
# `check` never links, so no driver is needed.
#
# The check shares the main target folder and the `engine` feature of `.ci/run`'s clippy step, so
# every dependency but candle's is already checked there and only candle, cudarc and slicelab are
# checked again. nvcc runs one kernel per thread: cudaforge takes its thread count from
# RAYON_NUM_THREADS, which CI sets to 1 for the tests, so CUDAFORGE_THREADS gives it every core.
#
# Usage: scripts/cuda-check.sh   (CUDA_VENV=dir to keep the toolkit elsewhere; default
# ~/.cache/slicelab/cuda-venv; CUDA_TARGET_DIR=dir to build elsewhere than target/)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CUDA_VENV:-$HOME/.cache/slicelab/cuda-venv}
CUDA_VERSION=13.4
if [ ! -x "$VENV/bin/pip" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check --no-deps \
  "nvidia-cuda-nvcc==$CUDA_VERSION.*" "nvidia-nvvm==$CUDA_VERSION.*" \
  "nvidia-cuda-crt==$CUDA_VERSION.*" "nvidia-cuda-runtime==$CUDA_VERSION.*" "nvidia-cuda-cccl"
CUDA=$(echo "$VENV"/lib/python3*/site-packages/nvidia/cu13)
[ -x "$CUDA/bin/nvcc" ] || { echo "no nvcc under $CUDA" >&2; exit 1; }
"$CUDA/bin/nvcc" --version | tail -1
PATH="$CUDA/bin:$PATH" CUDA_ROOT="$CUDA" CUDA_PATH="$CUDA" CUDA_TOOLKIT_ROOT_DIR="$CUDA" \
  CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP:-90} CARGO_TARGET_DIR=${CUDA_TARGET_DIR:-target} \
  CUDAFORGE_THREADS=${CUDAFORGE_THREADS:-$(nproc)} \
  cargo check --features cuda,engine --all-targets
