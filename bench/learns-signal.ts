// Does the SpotTune port learn? A reduced SpotTune (ResNet50 topology, widths 16,32,64,128, input
// 32×40×40, ResNet10 agent) trained from scratch on a synthetic cohort with a strong effect (label-1
// volumes carry a bright sphere), once with the true labels and once with the training labels shuffled.
// Prints validation AUC per epoch and a summary line for each run; the real run should reach
// AUC ≥ 0.85 within the time budget while the shuffled run stays ≤ 0.65.
//
//   npx tsx bench/learns-signal.ts [--minutes 15] [--backend wasm] [--train 48] [--val 40] [--only true|shuffled]
// (--only runs one of the two, e.g. to run both side by side as two processes with the same budget)
import { parseArgs } from 'node:util';
import { Rng } from '@spottune/random';
import { defaultTrainSettings, initBackend, trainModel, type TrainSample } from '@spottune/model';
import type { BackendChoice } from '@spottune/model';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '15' },
    backend: { type: 'string', default: 'wasm' },
    train: { type: 'string', default: '48' },
    val: { type: 'string', default: '40' },
    epochs: { type: 'string', default: '60' },
    only: { type: 'string' },
  },
});
const SHAPE: [number, number, number] = [32, 40, 40];

function volume(rng: Rng, label: 0 | 1): Float32Array {
  const [d, h, w] = SHAPE;
  const out = new Float32Array(d * h * w);
  for (let i = 0; i < out.length; i++) out[i] = 0.3 * rng.uniform();
  // Both classes get a sphere; label 1's is much brighter (a strong, position-independent effect).
  const r = 5 + rng.uniform() * 2;
  const [cz, cy, cx] = [rng.integer(10, d - 10), rng.integer(12, h - 12), rng.integer(12, w - 12)];
  const gain = label === 1 ? 0.9 : 0.25;
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if ((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 <= r * r) out[(z * h + y) * w + x]! += gain;
  return out;
}

function split(rng: Rng, n: number, tag: string): TrainSample[] {
  return Array.from({ length: n }, (_, i) => {
    const label = (i % 2) as 0 | 1;
    return { patientId: `${tag}${i}`, label, data: volume(rng, label), shape: SHAPE };
  });
}

async function run(name: string, train: TrainSample[], val: TrainSample[], budgetMs: number, epochs: number) {
  const settings = defaultTrainSettings({
    network: 'spottune',
    depth: 50,
    widths: [16, 32, 64, 128],
    epochs,
    batchSize: 12,
    lr: 1e-3,
    agentLr: 1e-3,
    evalSamples: 1,
    seed: 1,
  });
  const controller = new AbortController();
  const t0 = performance.now();
  let best = { auc: 0, epoch: 0, minutes: 0 };
  let last = { auc: NaN, epoch: 0 };
  let peakRss = 0;
  try {
    await trainModel({ train, val, test: [] }, settings, {
      signal: controller.signal,
      onBatch: () => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (performance.now() - t0 > budgetMs) controller.abort();
      },
      onEpoch: async (e) => {
        const minutes = (performance.now() - t0) / 60000;
        last = { auc: e.val.auc, epoch: e.epoch };
        if (e.val.auc > best.auc) best = { auc: e.val.auc, epoch: e.epoch, minutes };
        console.log(
          `${name} epoch ${e.epoch} ${minutes.toFixed(1)} min: train loss ${e.train.loss.toFixed(4)} AUC ${e.train.auc.toFixed(3)} | val loss ${e.val.loss.toFixed(4)} AUC ${e.val.auc.toFixed(3)}`,
        );
      },
    });
  } catch (e) {
    if (!(e instanceof Error && e.name === 'CancelledError')) throw e;
  }
  console.log(
    `${name}: last val AUC ${last.auc.toFixed(3)} (epoch ${last.epoch}), best val AUC ${best.auc.toFixed(3)} (epoch ${best.epoch}, ${best.minutes.toFixed(1)} min), peak RSS ${(peakRss / 2 ** 30).toFixed(2)} GiB`,
  );
  return last;
}

const backend = await initBackend(values.backend as BackendChoice);
const rng = new Rng('learns-signal');
const train = split(rng.fork('train'), Number(values.train), 't');
const val = split(rng.fork('val'), Number(values.val), 'v');
const labels = new Rng('shuffle').shuffle(train.map((s) => s.label));
const shuffled = train.map((s, i) => ({ ...s, label: labels[i]! }));
const budgetMs = Number(values.minutes) * 60000;
console.log(
  `backend ${backend}; train ${train.length}, val ${val.length}, input ${SHAPE.join('×')}, budget ${values.minutes} min per run`,
);
if (values.only === 'shuffled') {
  await run('shuffled labels', shuffled, val, budgetMs, Number(values.epochs));
} else {
  const real = await run('true labels', train, val, budgetMs, Number(values.epochs));
  if (values.only !== 'true') {
    // The control gets as many epochs as the real run completed.
    const control = await run('shuffled labels', shuffled, val, Infinity, Math.max(1, real.epoch));
    console.log(`val AUC true labels ${real.auc.toFixed(3)} | shuffled labels ${control.auc.toFixed(3)}`);
  }
}
