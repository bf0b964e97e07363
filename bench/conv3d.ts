// Benchmark: the 64→64 3×3×3 convolution on 35×43×43 (batch 1, padding 1), forward, dX and dW,
// tfjs's own tf.conv3d versus spottune's conv3d, on the wasm and cpu backends. Prints GFLOP/s.
// Run: npx tsx bench/conv3d.ts [--reps 3] [--backends wasm,cpu] [--skip-tfjs] [--tfjs-grads]
// tfjs's own conv3d runs at ~1 GFLOP/s: it is timed once, forward only unless --tfjs-grads.
import * as tf from '@tensorflow/tfjs';
import { conv3d, describeCompute, initBackend, type BackendName } from '../libs/model/src/ops/index.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const reps = Number(arg('reps', '3'));
const backends = arg('backends', 'wasm,cpu').split(',') as BackendName[];
const skipTfjs = args.includes('--skip-tfjs');
const tfjsGrads = args.includes('--tfjs-grads');
const shape: [number, number, number, number, number] = [1, 35, 43, 43, 64];
const flops = 2 * 35 * 43 * 43 * 64 * 27 * 64;

/** Best wall and CPU (user + system) milliseconds: on a shared machine CPU time is the steadier figure. */
function best(fn: () => tf.Tensor | tf.Tensor[], times: number): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < times; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = fn();
    for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
    tf.dispose(out);
  }
  return { wall, cpu };
}

const minus = (a: { wall: number; cpu: number }, b: { wall: number; cpu: number }) => ({
  wall: a.wall - b.wall,
  cpu: a.cpu - b.cpu,
});

function report(backend: string, impl: string, what: string, t: { wall: number; cpu: number }): void {
  const ms = t.wall;
  const cpuNote = `(cpu ${t.cpu.toFixed(1)} ms, ${(flops / t.cpu / 1e6).toFixed(1)} GFLOP/s)`;
  console.log(
    `${backend.padEnd(5)} ${impl.padEnd(10)} ${what.padEnd(8)} ${ms.toFixed(1).padStart(8)} ms ${(flops / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s ${cpuNote}`,
  );
}

for (const backend of backends) {
  await initBackend(backend);
  console.log(`compute: ${describeCompute()}`);
  const x = tf.randomNormal(shape) as tf.Tensor5D;
  const w = tf.randomNormal([3, 3, 3, 64, 64], 0, 0.05) as tf.Tensor5D;
  const dy = tf.randomNormal(shape) as tf.Tensor5D;
  // A frozen (non-trainable) filter makes spottune's gradient skip dW; skipInputGradient skips dX.
  const wFrozen = tf.variable(w, false) as tf.Variable<tf.Rank.R5>;
  type Conv = (a: tf.Tensor5D, b: tf.Tensor5D, only?: 'dx' | 'dw') => tf.Tensor5D;
  const impls: [string, Conv][] = [
    [
      'spottune',
      (a, b, only) =>
        conv3d(a, only === 'dx' ? wFrozen : b, { padding: 1, skipInputGradient: only === 'dw' }),
    ],
  ];
  if (!skipTfjs) impls.push(['tf.conv3d', (a, b) => tf.conv3d(a, b, 1, 'same')]);
  for (const [impl, f] of impls) {
    const n = impl === 'tf.conv3d' ? 1 : reps;
    const fwd = best(() => f(x, w), n);
    report(backend, impl, 'forward', fwd);
    if (impl === 'tf.conv3d' && !tfjsGrads) continue;
    const dx = best(() => tf.grad((a: tf.Tensor) => f(a as tf.Tensor5D, w, 'dx'))(x, dy), n);
    const dw = best(() => tf.grad((b: tf.Tensor) => f(x, b as tf.Tensor5D, 'dw'))(w, dy), n);
    // tf.grad runs the forward too: subtract it.
    report(backend, impl, 'dX', minus(dx, fwd));
    report(backend, impl, 'dW', minus(dw, fwd));
    const both = best(
      () => tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor5D, b as tf.Tensor5D))([x, w], dy),
      n,
    );
    report(backend, impl, 'fwd+bwd', both);
  }
  wFrozen.dispose();
  tf.dispose([x, w, dy]);
}
