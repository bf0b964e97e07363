import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preprocessVolume, readNpy, writeNifti } from '@spottune/imaging';

// Runs the real binary (`npx spottune`) as a user would.
function spottune(...args: string[]) {
  return spawnSync('npx', ['--no-install', 'spottune', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
}

const niftiDir = fileURLToPath(new URL('../../../../../shared/data/nifti/', import.meta.url));
const expected = JSON.parse(readFileSync(join(niftiDir, 'expected.json'), 'utf8')) as Record<
  string,
  {
    dims: number[];
    scl_slope: number;
    scl_inter: number;
    affine_nibabel: number[][];
    scaled_min: number;
    scaled_max: number;
    scaled_sum: number;
    scaled_mean: number;
  }
>;
const work = mkdtempSync(join(tmpdir(), 'spottune-nifti-cli-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

test('nifti info --json on functional.nii (scl_slope/inter, 4-D) matches nibabel', () => {
  const r = spottune('nifti', 'info', join(niftiDir, 'functional.nii'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as Record<string, unknown>;
  const e = expected['functional.nii'];
  assert.ok(e !== undefined);
  assert.deepEqual(info['dims'], e.dims);
  assert.equal(info['datatype'], 'int16');
  assert.equal(info['sclSlope'], e.scl_slope);
  assert.equal(info['sclInter'], e.scl_inter);
  const affine = info['affine'] as number[][];
  e.affine_nibabel.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs((affine[i]?.[j] ?? NaN) - v) <= 1e-5)),
  );
  assert.equal(info['min'], e.scaled_min);
  assert.equal(info['max'], e.scaled_max);
  assert.ok(Math.abs((info['sum'] as number) - e.scaled_sum) <= 1e-6 * e.scaled_sum);
  assert.ok(Math.abs((info['mean'] as number) - e.scaled_mean) <= 1e-6 * e.scaled_mean);
});

test('nifti info prints a readable table without --json', () => {
  const r = spottune('nifti', 'info', join(niftiDir, 'anatomical.nii'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /NIfTI-1, big-endian/);
  assert.match(r.stdout, /33 × 41 × 25/);
});

test('a truncated NIfTI file exits 1 with NIFTI_INVALID and the reason', () => {
  const bad = join(work, 'truncated.nii');
  writeFileSync(bad, readFileSync(join(niftiDir, 'anatomical.nii')).subarray(0, 5000));
  const r = spottune('nifti', 'info', bad, '--json');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /NIFTI_INVALID: invalid NIfTI file .*truncated\.nii: truncated: dims 33×41×25/);
  const missing = spottune('nifti', 'info', join(work, 'nope.nii.gz'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /NOT_FOUND: NIfTI file not found/);
});

test('preprocess writes the same float32 .npy as preprocessVolume, and refuses an empty mask', () => {
  const shape: [number, number, number] = [20, 24, 22];
  const n = shape[0] * shape[1] * shape[2];
  const image = new Float64Array(n);
  const mask = new Uint8Array(n);
  for (let z = 0, i = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++, i++) {
        image[i] = 50 + ((z * 7 + y * 3 + x) % 11) * 10;
        mask[i] = (z - 10) ** 2 + (y - 12) ** 2 + (x - 11) ** 2 < 36 ? 2 : 0;
      }
  const imagePath = join(work, 'img.nii.gz');
  const maskPath = join(work, 'seg.nii.gz');
  writeFileSync(imagePath, writeNifti({ data: image, shape }, { datatype: 'int16', gzip: true }));
  writeFileSync(maskPath, writeNifti({ data: mask, shape }, { datatype: 'uint8', gzip: true }));
  const out = join(work, 'out.npy');
  const r = spottune(
    'preprocess',
    '--image',
    imagePath,
    '--mask',
    maskPath,
    '--out',
    out,
    '--crop',
    '2:18,1:23,0:22',
    '--target',
    '9x12x12',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as { shape: number[] }).shape, [9, 12, 12]);
  const npy = readNpy(readFileSync(out));
  assert.equal(npy.dtype, '<f4');
  assert.deepEqual(npy.shape, [9, 12, 12]);
  const want = preprocessVolume(
    { data: image, shape },
    { data: mask, shape },
    {
      crop: [
        [2, 18],
        [1, 23],
        [0, 22],
      ],
      targetShape: [9, 12, 12],
    },
  );
  assert.deepEqual(Array.from(npy.data), Array.from(want.data));

  const emptyPath = join(work, 'empty.nii.gz');
  writeFileSync(emptyPath, writeNifti({ data: new Uint8Array(n), shape }, { datatype: 'uint8', gzip: true }));
  const e = spottune(
    'preprocess',
    '--image',
    imagePath,
    '--mask',
    emptyPath,
    '--out',
    join(work, 'x.npy'),
    '--crop',
    '2:18,1:23,0:22',
    '--target',
    '9x12x12',
  );
  assert.equal(e.status, 1);
  assert.match(e.stderr, /EMPTY_MASK: preprocess: empty mask/);
  const bad = spottune(
    'preprocess',
    '--image',
    imagePath,
    '--mask',
    maskPath,
    '--out',
    join(work, 'y.npy'),
    '--crop',
    '2:18,1:23',
  );
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--crop: expected z0:z1,y0:y1,x0:x1/);
});
