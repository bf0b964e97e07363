#!/usr/bin/env bash
# SpotTune training-step timing: PyTorch CPU (one thread, and two) versus `spottune bench train-step`,
# same configuration (dual-copy ResNet50, widths 16,32,64,128, ResNet10 agent, input 35x43x43, batch 2,
# Adam). Installs Debian's python3-torch when missing (dev-only; run as root or with sudo rights).
# Usage: bench/train-step.sh [steps] [backend]   (defaults: 3 auto)
# Wall-time ratios are only meaningful on an otherwise idle machine; the CPU-time ratio (one thread
# each) is the steadier figure when other work shares the cores.
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
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
torch1=$("$py" bench/pytorch/spottune_step.py "${cfg[@]}" --threads 1)
echo "pytorch 1 thread : $torch1"
torch2=$("$py" bench/pytorch/spottune_step.py "${cfg[@]}" --threads 2)
echo "pytorch 2 threads: $torch2"
ours=$(npx spottune bench train-step --network spottune --depth 50 "${cfg[@]}" --backend "$backend" --json)
echo "spottune         : $ours"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
node -e '
const [t1, t2, s] = process.argv.slice(1).map((j) => JSON.parse(j));
const r = (a, b) => (a / b).toFixed(2);
console.log(`ratio spottune/pytorch-1thread (wall): step ${r(s.msPerStep, t1.msPerStep)}x, forward ${r(s.msPerForward, t1.msPerForward)}x`);
console.log(`ratio spottune/pytorch-1thread (cpu) : step ${r(s.cpuMsPerStep, t1.cpuMsPerStep)}x, forward ${r(s.cpuMsPerForward, t1.cpuMsPerForward)}x`);
console.log(`ratio spottune/pytorch-2threads (wall): step ${r(s.msPerStep, t2.msPerStep)}x, forward ${r(s.msPerForward, t2.msPerForward)}x`);
' "$torch1" "$torch2" "$ours"
