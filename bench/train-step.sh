#!/usr/bin/env bash
# SpotTune training-step timing: PyTorch CPU versus `spottune bench train-step`, same configuration
# (dual-copy ResNet50, widths 16,32,64,128, ResNet10 agent, input 35x43x43, batch 2, Adam), one after
# the other. Installs Debian's python3-torch when missing (dev-only; run as root or with sudo rights).
# Usage: bench/train-step.sh [steps] [backend]   (defaults: 3 auto)
#
# One thread each: torch.set_num_threads(1) alone is not one thread with Debian's torch, whose
# OpenBLAS starts its own threads (process CPU time came out at 2x the wall time), so OMP, OpenBLAS
# and MKL are pinned to one thread too. spottune runs three ways: tfjs-wasm alone, wasm + the native
# OpenBLAS addon with one thread (the fair comparison), and with two threads against PyTorch with two.
# Wall-time ratios are only meaningful on an otherwise idle machine: the load average is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-3}"
backend="${2:-auto}"
py=/usr/bin/python3
if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch (Debian) ..." >&2
  apt-get install -y python3-torch >&2
fi
cfg=(--widths 16,32,64,128 --input 35x43x43 --batch 2 --steps "$steps")
torch() { OMP_NUM_THREADS=$1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=$1 "$py" bench/pytorch/spottune_step.py "${cfg[@]}" --threads "$1"; }
ours() { npx spottune bench train-step --network spottune --depth 50 "${cfg[@]}" --backend "$backend" --json "$@"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
torch1=$(torch 1)
echo "pytorch 1 thread          : $torch1"
wasm=$(ours --native off)
echo "spottune wasm only        : $wasm"
native1=$(ours --native on --blas-threads 1)
echo "spottune native 1 thread  : $native1"
torch2=$(torch 2)
echo "pytorch 2 threads         : $torch2"
native2=$(ours --native on --blas-threads 2)
echo "spottune native 2 threads : $native2"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
node -e '
const [t1, w, n1, t2, n2] = process.argv.slice(1).map((j) => JSON.parse(j));
const r = (a, b) => (a / b).toFixed(2);
const line = (name, s, t) => console.log(`${name}: step ${r(s.msPerStep, t.msPerStep)}x, forward ${r(s.msPerForward, t.msPerForward)}x (wall)`);
line("ratio wasm only / pytorch 1 thread       ", w, t1);
line("ratio native 1 thread / pytorch 1 thread ", n1, t1);
line("ratio native 2 threads / pytorch 2 threads", n2, t2);
' "$torch1" "$wasm" "$native1" "$torch2" "$native2"
