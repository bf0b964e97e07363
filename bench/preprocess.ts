// Benchmark: the reference preprocessing (§2.3) of one 155×240×240 volume — mask, crop, Gaussian σ 0.5,
// 2×2×2 mean, min–max, pad to 70×86×86 — on one core (Node is single-threaded here). Also times
// gunzip + decode of the same volume as an int16 .nii.gz, and, when Debian's /usr/bin/python3 has
// scipy, the scipy recipe on the same phantom in the same run, and prints the ratio.
// Run: npx tsx bench/preprocess.ts [--reps 5]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { preprocessVolume, readNiftiSync, tumourPhantom, writeNifti } from '@spottune/imaging';

const args = process.argv.slice(2);
const repsIndex = args.indexOf('--reps');
const reps = repsIndex >= 0 ? Number(args[repsIndex + 1]) : 5;

interface Timing {
  best: number;
  median: number;
  cpuBest: number;
}

// Wall-clock and CPU time (user + system of this process): on a shared, loaded machine the CPU time is
// the steadier figure.
function timeIt(fn: () => void): Timing {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  return {
    best: wall[0] ?? NaN,
    median: wall[Math.floor(wall.length / 2)] ?? NaN,
    cpuBest: Math.min(...cpu),
  };
}

const fmt = (t: Timing) =>
  `wall best ${t.best.toFixed(1)} ms, median ${t.median.toFixed(1)} ms; cpu best ${t.cpuBest.toFixed(1)} ms`;

const phantom = tumourPhantom();
const image = { data: phantom.image, shape: phantom.shape };
const mask = { data: phantom.mask, shape: phantom.shape };
preprocessVolume(image, mask); // warm-up (JIT)
const ts = timeIt(() => preprocessVolume(image, mask));
console.log(
  `node ${process.version}, ${reps} reps, volume 155×240×240 → 70×86×86, load average ${loadavg()[0]?.toFixed(1)}`,
);
console.log(`typescript preprocessVolume (float64 input):      ${fmt(ts)}`);

const rounded = Int16Array.from(phantom.image, (v) => Math.round(v));
const imageGz = writeNifti({ data: rounded, shape: phantom.shape }, { datatype: 'int16', gzip: true });
const maskGz = writeNifti({ data: phantom.mask, shape: phantom.shape }, { datatype: 'uint8', gzip: true });
const io = timeIt(() => {
  const img = readNiftiSync(imageGz);
  const seg = readNiftiSync(maskGz);
  preprocessVolume({ data: img.data, shape: phantom.shape }, { data: seg.data, shape: phantom.shape });
});
console.log(
  `typescript read int16+uint8 .nii.gz + preprocess: ${fmt(io)} (${(imageGz.length / 1e6).toFixed(1)} + ${(maskGz.length / 1e6).toFixed(1)} MB gz)`,
);

const PYTHON = '/usr/bin/python3';
const script = `
import time, numpy as np
from scipy import ndimage as ndi
D, H, W = 155, 240, 240
z, y, x = np.meshgrid(*(np.arange(n, dtype=np.float64) for n in (D, H, W)), indexing='ij')
img = 100 + 40 * np.sin(0.11 * z + 0.07 * y) * np.cos(0.05 * x) + ((7 * z + 13 * y + 3 * x) % 17)
r = ((z - 70) / 38) ** 2 + ((y - 120) / 55) ** 2 + ((x - 128) / 47) ** 2
mask = np.where(r < 0.3, 4, np.where(r < 0.6, 1, np.where(r < 1, 2, 0)))
def run():
    c = np.where(mask > 0, img, 0.0)[0:140, 39:211, 44:208]
    g = ndi.gaussian_filter(c, sigma=0.5, mode='mirror', truncate=4)
    p = g.reshape(70, 2, 86, 2, 82, 2).mean(axis=(1, 3, 5))
    p = np.clip(p, g.min(), g.max())
    p = (p - p.min()) / (p.max() - p.min())
    return np.pad(p, ((0, 0), (0, 0), (2, 2))).astype(np.float32)
run()
times, cpu = [], []
for _ in range(${reps}):
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    times.append((time.perf_counter() - t0) * 1000); cpu.append((time.process_time() - c0) * 1000)
times.sort()
print(times[0], times[len(times) // 2], min(cpu))
`;
if (existsSync(PYTHON)) {
  const r = spawnSync(PYTHON, ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  const [best, median, cpuBest] = r.status === 0 ? r.stdout.trim().split(' ').map(Number) : [];
  if (best === undefined || median === undefined || cpuBest === undefined) {
    console.log(
      `scipy recipe: not run (${PYTHON} without numpy/scipy? ${r.stderr.trim().split('\n').pop() ?? ''})`,
    );
  } else {
    console.log(`scipy recipe (numpy + ndimage, 1 thread):         ${fmt({ best, median, cpuBest })}`);
    console.log(
      `ratio scipy / typescript: wall ${(best / ts.best).toFixed(2)}×, cpu ${(cpuBest / ts.cpuBest).toFixed(2)}×`,
    );
  }
} else {
  console.log(`scipy recipe: not run (${PYTHON} not found)`);
}
