import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, NotFoundError } from '@spottune/errors';
import {
  MANIFEST_FILE,
  WEIGHTS_FILE,
  importMedicalNetWeights,
  loadWeights,
  readTorchCheckpoint,
  readWeightsManifest,
} from '@spottune/model';
import { medicalNetFile } from './support.ts';

test('import → load round trip gives identical tensors (both source formats)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spottune-weights-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const format of ['zip', 'legacy']) {
    const file = medicalNetFile(`resnet50_w8_${format}.pth`);
    const out = join(dir, format);
    const manifest = await importMedicalNetWeights(file, { arch: 'resnet50', outDir: out });
    assert.equal(manifest.arch, 'resnet50');
    assert.deepEqual(manifest.widths, [8, 16, 32, 64]);
    assert.equal(manifest.source.file, `resnet50_w8_${format}.pth`);
    const original = await readTorchCheckpoint(readFileSync(file));
    const loaded = await loadWeights(out);
    // Every tensor but num_batches_tracked, `module.` stripped, same order, shapes and values.
    const kept = [...original].filter(([k]) => !k.endsWith('num_batches_tracked'));
    assert.equal(loaded.size, kept.length);
    assert.equal(kept.length, 265);
    for (const [key, tensor] of kept) {
      const name = key.replace(/^module\./, '');
      const other = loaded.get(name);
      assert.ok(other !== undefined, name);
      assert.deepEqual(other.shape, tensor.shape, name);
      assert.equal(other.dtype, 'float32');
      assert.deepEqual(other.data, tensor.data, name);
    }
    assert.deepEqual(await readWeightsManifest(out), manifest);
  }
});

test('import refuses a checkpoint that does not match the arch, writing nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spottune-weights-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'w');
  await assert.rejects(
    importMedicalNetWeights(medicalNetFile('resnet10_w16_zip.pth'), { arch: 'resnet50', outDir: out }),
    /does not match MedicalNet resnet50/,
  );
  await assert.rejects(loadWeights(out), NotFoundError);
});

test('a tampered weights.bin or manifest is a DataError', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spottune-weights-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await importMedicalNetWeights(medicalNetFile('resnet10_w16_zip.pth'), { arch: 'resnet10', outDir: dir });
  const bin = readFileSync(join(dir, WEIGHTS_FILE));
  bin[100] = (bin[100] as number) ^ 1;
  writeFileSync(join(dir, WEIGHTS_FILE), bin);
  await assert.rejects(loadWeights(dir), /weights\.bin: tensor 'conv1\.weight' fails its sha256 check/);
  writeFileSync(join(dir, WEIGHTS_FILE), bin.subarray(0, 1000));
  await assert.rejects(loadWeights(dir), /truncated at tensor/);
  writeFileSync(join(dir, MANIFEST_FILE), '{"format":"other"}');
  await assert.rejects(loadWeights(dir), DataError);
});
