import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './index.ts';

test('same seed, same sequence; different seed, different sequence', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const seqA = Array.from({ length: 8 }, () => a.nextUint32());
  assert.deepEqual(
    seqA,
    Array.from({ length: 8 }, () => b.nextUint32()),
  );
  assert.notDeepEqual(
    seqA,
    Array.from({ length: 8 }, () => c.nextUint32()),
  );
});

test('state round-trips, including a pending normal deviate', () => {
  const a = new Rng('experiment-1');
  a.normal();
  const restored = Rng.fromState(a.state());
  assert.deepEqual(
    Array.from({ length: 5 }, () => restored.normal()),
    Array.from({ length: 5 }, () => a.normal()),
  );
});

test('forks are deterministic, independent of later draws, and differ by label', () => {
  const a = new Rng(7);
  const f1 = a.fork('augment', 'P1').uniform();
  assert.equal(new Rng(7).fork('augment', 'P1').uniform(), f1);
  assert.notEqual(new Rng(7).fork('augment', 'P2').uniform(), f1);
});

test('uniform, int and normal have the right moments', () => {
  const rng = new Rng(1);
  const n = 200_000;
  let sum = 0;
  let sumSq = 0;
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    const z = rng.normal();
    sum += z;
    sumSq += z * z;
    counts[rng.int(6)]!++;
  }
  assert.ok(Math.abs(sum / n) < 0.01, `mean ${sum / n}`);
  assert.ok(Math.abs(sumSq / n - 1) < 0.02, `variance ${sumSq / n}`);
  for (const c of counts) assert.ok(Math.abs(c / n - 1 / 6) < 0.005);
});

test('shuffle is a permutation', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = new Rng(3).shuffle([...items]);
  assert.notDeepEqual(shuffled, items);
  assert.deepEqual(
    [...shuffled].sort((x, y) => x - y),
    items,
  );
});
