import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.ts';
import { bceWithLogits, bceWithLogitsValue } from './loss.ts';
import { ReduceLROnPlateau } from './plateau.ts';
import { CheckpointSelector } from './selection.ts';

/*
 * Expected values from PyTorch 1.13 (Debian python3-torch), /usr/bin/python3:
 *   p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0, 0.0]))
 *   opt = torch.optim.Adam([p], lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)
 *   for g in ([0.1,-0.2,0.3,0.0], [-0.05,0.4,0.0,1e-6], [0.3,0.3,-0.3,0.0]):
 *       p.grad = torch.tensor(g); opt.step(); print([float(v) for v in p.detach()])
 *   for mode in ('min','max'):
 *       o = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
 *       s = torch.optim.lr_scheduler.ReduceLROnPlateau(o, mode=mode, factor=0.1, patience=2)
 *       for m in METRICS: s.step(m); print(o.param_groups[0]['lr'])
 *   z = torch.tensor([-100.,-20.,-1.5,0.,0.3,2.,30.,100.]); y = torch.tensor([1.,0.,1.,1.,0.,1.,0.,1.])
 *   torch.nn.BCEWithLogitsLoss()(z, y); torch.nn.BCEWithLogitsLoss(reduction='none')(z, y)
 */
const ADAM_TORCH = [
  [0.49900001287460327, -0.9990000128746033, 1.9989999532699585, 0.0],
  [0.498677521944046, -0.9993377327919006, 1.9982848167419434, -0.0007337624556384981],
  [0.4979918599128723, -0.9999061822891235, 1.9982891082763672, -0.00017972633941099048],
];
const METRICS = [1.0, 0.9, 0.95, 0.9, 0.9, 1.2, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
const e6 = 1.0000000000000002e-6;
const e7 = 1.0000000000000002e-7;
const PLATEAU_TORCH = {
  min: [1e-3, 1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 1e-5, 1e-5, 1e-5, e6, e6, e6, e7, e7, e7],
  max: [
    1e-3,
    1e-3,
    1e-3,
    1e-4,
    1e-4,
    1e-4,
    1e-4,
    1e-4,
    1e-5,
    1e-5,
    1e-5,
    e6,
    e6,
    e6,
    e7,
    e7,
    e7,
    1.0000000000000004e-8,
  ],
};
const BCE_Z = [-100, -20, -1.5, 0, 0.3, 2, 30, 100];
const BCE_Y = [1, 0, 1, 1, 0, 1, 0, 1];
const BCE_EACH_TORCH = [
  100.0, 0.0, 1.7014133930206299, 0.6931471824645996, 0.8543552756309509, 0.12692804634571075, 30.0, 0.0,
];
const BCE_MEAN_TORCH = 16.671981811523438;

test('Adam with coupled L2 matches torch.optim.Adam over three steps', () => {
  const p = tf.variable(tf.tensor1d([0.5, -1.0, 2.0, 0.0]), true, 'adam-test-p');
  const adam = new Adam([{ name: 'p', variable: p }], { lr: 1e-3, weightDecay: 1e-2 });
  const grads = [
    [0.1, -0.2, 0.3, 0.0],
    [-0.05, 0.4, 0.0, 1e-6],
    [0.3, 0.3, -0.3, 0.0],
  ];
  grads.forEach((g, step) => {
    const gt = tf.tensor1d(g);
    adam.apply({ [p.name]: gt });
    gt.dispose();
    const got = Array.from(p.dataSync());
    got.forEach((v, i) =>
      assert.ok(Math.abs(v - ADAM_TORCH[step]![i]!) < 2e-7, `step ${step + 1} [${i}]: ${v}`),
    );
  });
  // State round trip: a restored optimiser continues identically.
  const state = adam.state();
  assert.equal(state.step, 3);
  const q = tf.variable(tf.tensor1d(Array.from(p.dataSync())), true, 'adam-test-q');
  const other = new Adam([{ name: 'p', variable: q }], { lr: 1, weightDecay: 1e-2 }); // lr comes from the state
  other.restore(state);
  const g = tf.tensor1d([0.01, 0.02, -0.03, 0.5]);
  adam.apply({ [p.name]: g });
  other.apply({ [q.name]: g });
  assert.deepEqual(Array.from(q.dataSync()), Array.from(p.dataSync()));
  // A variable without a gradient is skipped (torch: grad None), step count still advances.
  const before = Array.from(p.dataSync());
  adam.apply({});
  assert.deepEqual(Array.from(p.dataSync()), before);
  tf.dispose([p, q, g]);
  adam.dispose();
  other.dispose();
});

test('ReduceLROnPlateau matches torch in both modes (factor 0.1, patience 2, rel threshold 1e-4)', () => {
  for (const mode of ['min', 'max'] as const) {
    const s = new ReduceLROnPlateau({ mode, factor: 0.1, patience: 2 });
    let lr = 1e-3;
    const lrs = METRICS.map((m) => (lr = s.step(m, lr)));
    lrs.forEach((v, i) =>
      assert.ok(Math.abs(v - PLATEAU_TORCH[mode][i]!) < 1e-15, `${mode} step ${i}: ${v}`),
    );
  }
  // Reductions below 1e-8 are skipped as in torch (eps).
  const tiny = new ReduceLROnPlateau({ mode: 'max', factor: 0.1, patience: 0 });
  tiny.step(1, 1e-8);
  assert.equal(tiny.step(0, 1e-8), 1e-8);
  // State round trip.
  const a = new ReduceLROnPlateau({ mode: 'min', factor: 0.5, patience: 1 });
  a.step(1, 1);
  a.step(2, 1);
  const b = new ReduceLROnPlateau({ mode: 'min', factor: 0.5, patience: 1 });
  b.restore(a.state());
  assert.equal(b.step(3, 1), a.step(3, 1));
});

test('BCE with logits equals the direct formula and torch, stable at large |z|', () => {
  BCE_Z.forEach((z, i) => {
    const direct = bceWithLogitsValue(z, BCE_Y[i]!);
    assert.ok(Math.abs(direct - BCE_EACH_TORCH[i]!) < 1e-6 * Math.max(1, Math.abs(direct)), `z=${z}`);
    // Naive −[y log σ + (1−y) log(1−σ)] where it is representable.
    if (Math.abs(z) < 20) {
      const s = 1 / (1 + Math.exp(-z));
      const naive = -(BCE_Y[i]! * Math.log(s) + (1 - BCE_Y[i]!) * Math.log(1 - s));
      assert.ok(Math.abs(direct - naive) < 1e-9);
    }
  });
  const loss = bceWithLogits(tf.tensor1d(BCE_Z), tf.tensor1d(BCE_Y));
  const v = loss.dataSync()[0]!;
  assert.ok(Number.isFinite(v));
  assert.ok(Math.abs(v - BCE_MEAN_TORCH) < 1e-5, String(v));
  loss.dispose();
});

test('checkpoint selection: highest M with SEN > 0.5 and SPE > 0.5 (strict), else the last epoch', () => {
  const s = new CheckpointSelector();
  assert.equal(s.consider(1, { sen: 0.5, spe: 0.9, m: 0.16 }), false); // SEN = 0.5 is not > 0.5
  assert.equal(s.selection, 'last');
  assert.equal(s.consider(2, { sen: 0.6, spe: 0.6, m: 0.1 }), true);
  assert.equal(s.consider(3, { sen: 0.9, spe: 0.5, m: 0.24 }), false); // SPE not > 0.5
  assert.equal(s.consider(4, { sen: 0.6, spe: 0.6, m: 0.1 }), false); // equal M is not better
  assert.equal(s.consider(5, { sen: 0.7, spe: 0.6, m: 0.16 }), true);
  assert.equal(s.consider(6, { sen: NaN, spe: 0.9, m: NaN }), false);
  assert.equal(s.bestEpoch, 5);
  assert.equal(s.selection, 'best');
  const none = new CheckpointSelector();
  for (let e = 1; e <= 4; e++) none.consider(e, { sen: 1, spe: 0, m: 0.1 });
  assert.equal(none.bestEpoch, null);
  assert.equal(none.selection, 'last');
  // Early stopping counts epochs since the best raw val M (epoch 1 here).
  assert.equal(none.shouldStop(3, 3), false);
  assert.equal(none.shouldStop(4, 3), true);
  assert.equal(none.shouldStop(4, undefined), false);
});

test('checkpoint container round-trips metadata (incl. ±Infinity, NaN) and float32 blobs', () => {
  const tensors = new Map([
    ['a', Float32Array.from([1.5, -2, Math.fround(0.1)])],
    ['b/c', new Float32Array(0)],
    ['d', Float32Array.from([3e38, -0])],
  ]);
  const meta = { best: -Infinity, worst: Infinity, nan: NaN, nested: [{ x: 1 }], s: 'é' };
  const bytes = encodeCheckpoint(meta, tensors);
  const back = decodeCheckpoint(bytes);
  assert.deepEqual(back.meta, meta);
  assert.deepEqual([...back.tensors.keys()], ['a', 'b/c', 'd']);
  for (const [k, v] of tensors) assert.deepEqual(back.tensors.get(k), v);
  // A view at an odd byte offset (e.g. a slice of a network buffer) decodes the same.
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  assert.deepEqual(decodeCheckpoint(shifted.subarray(1)).tensors, back.tensors);
  // A Node Buffer carved from a shared pool (what object-store clients hand back).
  const pooled = Buffer.allocUnsafe(bytes.length + 3).fill(7);
  const view = pooled.subarray(3);
  view.set(bytes);
  assert.deepEqual(decodeCheckpoint(view).tensors, back.tensors);
  assert.throws(() => decodeCheckpoint(new Uint8Array(20)), /bad magic/);
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 2)), /truncated/);
});
