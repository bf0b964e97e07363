import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Rng } from '@spottune/random';
import { readNifti } from '@spottune/imaging';
import {
  SEGMENT,
  automatedSegmentationPath,
  cropWindow,
  derivativePath,
  generateSyntheticCohort,
  headMask,
  localFileSource,
  randomTumour,
  scanCohort,
  segmentTumour,
  synthesizeModality,
  type Derivative,
  type Shape3,
} from './index.ts';

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  await walk(dir);
  return out.sort();
}

async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'synth-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the synthetic cohort has the UPENN-GBM layout, realistic types, and is byte-identical for a seed', async () => {
  await withTmp(async (dir) => {
    const size: Shape3 = [20, 32, 32];
    const a = await generateSyntheticCohort({ patients: 10, outDir: join(dir, 'a'), seed: 5, size });
    await generateSyntheticCohort({ patients: 10, outDir: join(dir, 'b'), seed: 5, size });
    await generateSyntheticCohort({ patients: 10, outDir: join(dir, 'c'), seed: 6, size });
    const files = await listFiles(join(dir, 'a'));
    assert.equal(files.length, a.files);
    assert.deepEqual(await listFiles(join(dir, 'b')), files);
    let differs = 0;
    for (const f of files) {
      const x = await readFile(join(dir, 'a', f));
      assert.ok(x.equals(await readFile(join(dir, 'b', f))), `${f} differs between equal seeds`);
      const other = await readFile(join(dir, 'c', f)).catch(() => undefined);
      if (other === undefined || !x.equals(other)) differs++;
    }
    assert.ok(differs > files.length / 2, 'another seed gives other files');
    assert.ok(files.includes('csvs/UPENN-GBM_clinical_info_v1.0.csv'));
    // Labelled: 10; plus Not Available, Indeterminate and a _21 follow-up.
    assert.equal(a.labelled, 10);
    assert.equal(a.methylated, 4);
    assert.deepEqual([a.notAvailable, a.indeterminate, a.followUps], [1, 1, 1]);
    const scan = await scanCohort(localFileSource(join(dir, 'a')));
    assert.equal(scan.patients.length, 10);
    assert.deepEqual(scan.excluded.map((e) => e.reason).sort(), [
      'follow-up-scan',
      'mgmt-indeterminate',
      'mgmt-not-available',
    ]);
    // Missing groups: round(0.2·10) = 2 without DTI, round(0.28·10) = 3 without DSC.
    assert.equal(scan.patients.filter((p) => !p.completeGroups.includes('DTI')).length, 2);
    assert.equal(scan.patients.filter((p) => !p.completeGroups.includes('DSC')).length, 3);
    const p = scan.patients.find((x) => x.completeGroups.length === 3)!;
    const t1 = await readNifti(join(dir, 'a', derivativePath(p.scanId, 'T1')));
    assert.equal(t1.datatype, 'int16');
    assert.deepEqual(t1.shape, [20, 32, 32]);
    const rcbv = await readNifti(join(dir, 'a', derivativePath(p.scanId, 'DSC_ap-rCBV')));
    assert.equal(rcbv.datatype, 'float32');
    const fa = await readNifti(join(dir, 'a', derivativePath(p.scanId, 'DTI_FA')));
    assert.ok(Math.max(...fa.data) < 1 && Math.max(...fa.data) > 0.05);
    const seg = await readNifti(join(dir, 'a', automatedSegmentationPath(p.scanId)));
    assert.equal(seg.datatype, 'uint8');
    assert.deepEqual(
      [...new Set(seg.data)].sort((x, y) => x - y),
      [0, 1, 2, 4],
    );
  });
});

test('tumours are nested blobs inside the reference crop window (at the real size and scaled)', () => {
  for (const shape of [
    [155, 240, 240],
    [20, 32, 32],
  ] as Shape3[]) {
    const window = cropWindow(shape);
    if (shape[0] === 155) {
      assert.deepEqual(window, [
        [0, 140],
        [39, 211],
        [44, 208],
      ]);
    }
    for (let k = 0; k < (shape[0] === 155 ? 2 : 10); k++) {
      const tumour = randomTumour(shape, new Rng(k));
      const seg = segmentTumour(shape, tumour);
      const counts = new Map<number, number>();
      const [, H, W] = shape;
      seg.forEach((label, i) => {
        if (label === 0) return;
        counts.set(label, (counts.get(label) ?? 0) + 1);
        const d = Math.floor(i / (H * W));
        const h = Math.floor(i / W) % H;
        const w = i % W;
        [d, h, w].forEach((x, a) =>
          assert.ok(x >= window[a]![0] && x < window[a]![1], `voxel outside the window`),
        );
      });
      assert.ok((counts.get(SEGMENT.oedema) ?? 0) > 0, `shape ${shape} seed ${k}: no oedema`);
      assert.ok((counts.get(SEGMENT.enhancing) ?? 0) + (counts.get(SEGMENT.necrosis) ?? 0) > 0);
    }
  }
});

/** Mean over the enhancing region of one derivative, relative to the oedema mean (survives min–max). */
function enhancingContrast(derivative: Derivative, label: 0 | 1, effect: number, seed: number): number {
  const shape: Shape3 = [20, 32, 32];
  const tumour = randomTumour(shape, new Rng(seed).fork('tumour'));
  const segmentation = segmentTumour(shape, tumour);
  const data = synthesizeModality({
    derivative,
    shape,
    head: headMask(shape),
    segmentation,
    tumour,
    label,
    effect,
    rng: new Rng(seed).fork('m'),
  });
  let enh = 0;
  let ne = 0;
  let oed = 0;
  let no = 0;
  segmentation.forEach((s, i) => {
    if (s === SEGMENT.enhancing) {
      enh += data[i]!;
      ne++;
    } else if (s === SEGMENT.oedema) {
      oed += data[i]!;
      no++;
    }
  });
  return ne === 0 || no === 0 ? NaN : enh / ne / (oed / no);
}

test('effect 0: the label leaves no trace (identical voxels); effect > 0: separable in DSC, weak in structural', () => {
  const shape: Shape3 = [12, 16, 16];
  const tumour = randomTumour(shape, new Rng(1));
  const segmentation = segmentTumour(shape, tumour);
  const base = { shape, head: headMask(shape), segmentation, tumour };
  for (const derivative of ['DSC_PH', 'T1GD', 'DTI_TR'] as Derivative[]) {
    const m = synthesizeModality({ ...base, derivative, label: 1, effect: 0, rng: new Rng(9) });
    const u = synthesizeModality({ ...base, derivative, label: 0, effect: 0, rng: new Rng(9) });
    assert.deepEqual(m, u);
    const m1 = synthesizeModality({ ...base, derivative, label: 1, effect: 1, rng: new Rng(9) });
    assert.notDeepEqual(m1, u);
  }
  // AUC of the enhancing/oedema contrast over 30 + 30 tumours.
  const auc = (derivative: Derivative, effect: number): number => {
    const pos = Array.from({ length: 30 }, (_, k) => enhancingContrast(derivative, 1, effect, k)).filter(
      Number.isFinite,
    );
    const neg = Array.from({ length: 30 }, (_, k) =>
      enhancingContrast(derivative, 0, effect, 100 + k),
    ).filter(Number.isFinite);
    let wins = 0;
    for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
    return wins / (pos.length * neg.length);
  };
  const dsc = auc('DSC_ap-rCBV', 1);
  const struct = auc('T1GD', 1);
  const none = auc('DSC_ap-rCBV', 0);
  assert.ok(dsc > 0.9, `DSC AUC at E=1: ${dsc}`);
  assert.ok(struct < dsc, `structural (${struct}) weaker than DSC (${dsc})`);
  assert.ok(Math.abs(none - 0.5) < 0.2, `AUC at E=0: ${none}`);
});

test('synth validates its options', async () => {
  await assert.rejects(generateSyntheticCohort({ patients: 0, outDir: '/nonexistent' }), /patients must be/);
  await assert.rejects(
    generateSyntheticCohort({ patients: 2, outDir: '/nonexistent', effect: -1 }),
    /effect/,
  );
  await assert.rejects(
    generateSyntheticCohort({ patients: 2, outDir: '/nonexistent', size: [2, 3, 4] }),
    /size/,
  );
});
