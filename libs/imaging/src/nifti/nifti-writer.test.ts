import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { DataError, ValidationError } from '@spottune/errors';
import { writeNifti } from './nifti-writer.ts';
import { readNiftiSync } from './nifti-reader.ts';
import { parseNiftiHeader } from './nifti-header.ts';
import { applyNibabelFixups, qformAffine } from './nifti-affine.ts';
import { affineToQform } from './affine-to-qform.ts';

/*
 * nibabel 5.0.0 cross-check. The three files below were written by the calls in this test to /tmp and
 * read with /usr/bin/python3:
 *   img = nib.load(f); h = img.header
 *   print(img.shape, h.get_data_dtype().str, int(h['qform_code']), int(h['sform_code']), h['pixdim'].tolist())
 *   print(img.affine.tolist(), h.get_qform().tolist(), h['quatern_b'], h['quatern_c'], h['quatern_d'])
 *   print(img.get_fdata().ravel(order='F')[:8], img.get_fdata().sum())
 * and for the sheared affine B: h = nib.Nifti1Header(); h.set_qform(B, code=1); print(quatern_b/c/d, pixdim[:4]).
 */
const c = Math.cos(Math.PI / 6);
const s = Math.sin(Math.PI / 6);
const ROTATED = [
  [-2 * c, -3 * s, 0, 90],
  [-2 * s, 3 * c, 0, -126],
  [0, 0, 4, -72],
  [0, 0, 0, 1],
];
const NIBABEL_QFORM = [
  [-1.7320507027248482, -1.49999997043291, -0.0012690360846326822, 90.0],
  [-0.9999999802886066, 2.598076215907078, -0.00034003719689329595, -126.0],
  [-0.0006345180423163411, -0.00025502789766997195, 3.9999997842402593, -72.0],
  [0, 0, 0, 1],
];
const data = Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);

function near(a: number[][], b: number[][], tol: number, what: string): void {
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const x = a[i]?.[j] ?? NaN;
      const y = b[i]?.[j] ?? NaN;
      assert.ok(Math.abs(x - y) <= tol, `${what}[${i}][${j}]: ${x} vs ${y}`);
    }
  }
}

test('float32 with a rotated, x-flipped affine: nibabel reads it back (w1)', () => {
  const bytes = writeNifti({ data, shape: [4, 3, 2], affine: ROTATED }, { datatype: 'float32' });
  assert.equal(bytes.length, 352 + 24 * 4);
  const h = applyNibabelFixups(parseNiftiHeader(bytes, 'w1'));
  assert.equal(h.qformCode, 1);
  assert.equal(h.sformCode, 1);
  assert.deepEqual(h.pixdim.slice(0, 4), [-1, 2, 3, 4]); // nibabel: [-1.0, 2.0, 3.0, 4.0]
  assert.deepEqual(h.quatern, [Math.fround(-0.258819043636322), Math.fround(0.9659258127212524), 0]);
  near(qformAffine(h, 'w1'), NIBABEL_QFORM, 1e-6, 'qform');
  const v = readNiftiSync(bytes);
  assert.deepEqual(v.dims, [2, 3, 4]); // nibabel img.shape (2, 3, 4)
  assert.deepEqual(v.shape, [4, 3, 2]);
  near(v.affine, ROTATED, 1e-6, 'affine');
  assert.deepEqual(Array.from(v.data), Array.from(data)); // nibabel: -3, -2.5, ... sum 66
});

test('int16 with slope/intercept, 4-D, gzip (w2): nibabel reads the same values', () => {
  const bytes = writeNifti(
    { data, shape: [2, 2, 3, 2], affine: ROTATED, pixdim: [9, 9, 9, 2.5] },
    { datatype: 'int16', gzip: true, sclSlope: 0.5, sclInter: -3 },
  );
  const raw = gunzipSync(bytes);
  const h = parseNiftiHeader(raw, 'w2');
  assert.equal(h.datatypeCode, 4);
  assert.deepEqual(h.pixdim.slice(0, 5), [-1, 2, 3, 4, 2.5]); // nibabel: [-1, 2, 3, 4, 2.5, 1, 1, 1]
  assert.deepEqual([h.sclSlope, h.sclInter], [0.5, -3]);
  const v = readNiftiSync(bytes);
  assert.deepEqual(v.dims, [2, 3, 2, 2]);
  assert.deepEqual(v.shape, [2, 2, 3, 2]);
  assert.deepEqual(Array.from(v.data), Array.from(data));
  assert.equal(
    Array.from(v.data).reduce((a, b) => a + b, 0),
    66,
  );
});

test('uint8 without affine (w3): both codes 0, readers fall back to the pixdim base affine', () => {
  const u8 = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
  const bytes = writeNifti({ data: u8, shape: [4, 3, 2], pixdim: [1.5, 2, 2.5] }, { datatype: 'uint8' });
  const v = readNiftiSync(bytes);
  assert.equal(v.qformCode, 0);
  assert.equal(v.sformCode, 0);
  // nibabel img.affine
  near(
    v.affine,
    [
      [-1.5, 0, 0, 0.75],
      [0, 2, 0, -2],
      [0, 0, 2.5, -3.75],
      [0, 0, 0, 1],
    ],
    1e-12,
    'base affine',
  );
  assert.deepEqual(Array.from(v.data), Array.from(u8)); // nibabel sum 2760
});

test('a sheared affine gets the same quaternion and zooms as nibabel set_qform', () => {
  const B = [
    [1.9, 0.3, 0.1, 5],
    [-0.2, 2.8, 0.4, 6],
    [0.05, -0.5, 3.9, 7],
    [0, 0, 0, 1],
  ];
  const q = affineToQform(B);
  const want = [-0.07001706212759018, 0.00080131646245718, -0.05340760573744774];
  q.quatern.forEach((x, k) => assert.ok(Math.abs(x - (want[k] ?? NaN)) < 1e-7, `quatern[${k}] ${x}`));
  const zooms = [1.9111515283584595, 2.860069990158081, 3.92173433303833];
  q.zooms.forEach((z, k) => assert.ok(Math.abs(z - (zooms[k] ?? NaN)) < 1e-6, `zoom[${k}] ${z}`));
  assert.equal(q.qfac, 1);
});

test('round trips through the reader for every written datatype', () => {
  const vol = Float64Array.from({ length: 5 * 6 * 7 }, (_, i) => (i % 50) - 20);
  for (const datatype of ['float32', 'int16'] as const) {
    for (const gzip of [false, true]) {
      const v = readNiftiSync(writeNifti({ data: vol, shape: [5, 6, 7] }, { datatype, gzip }));
      assert.deepEqual(v.shape, [5, 6, 7]);
      assert.equal(v.datatype, datatype);
      assert.deepEqual(Array.from(v.data), Array.from(vol));
    }
  }
  const pos = vol.map((x) => x + 20);
  assert.deepEqual(
    Array.from(readNiftiSync(writeNifti({ data: pos, shape: [5, 6, 7] }, { datatype: 'uint8' })).data),
    Array.from(pos),
  );
});

test('values that do not fit, and bad shapes or affines, are typed errors', () => {
  assert.throws(
    () => writeNifti({ data: [40000], shape: [1, 1, 1] }, { datatype: 'int16' }),
    (e: unknown) => e instanceof DataError && /does not fit int16/.test((e as Error).message),
  );
  assert.throws(() => writeNifti({ data: [-1], shape: [1, 1, 1] }, { datatype: 'uint8' }), DataError);
  assert.throws(() => writeNifti({ data: [NaN], shape: [1, 1, 1] }, { datatype: 'uint8' }), DataError);
  assert.throws(
    () => writeNifti({ data: [1, 2], shape: [1, 1, 1] }, { datatype: 'float32' }),
    ValidationError,
  );
  assert.throws(() => writeNifti({ data: [1], shape: [1, 1] }, { datatype: 'float32' }), ValidationError);
  assert.throws(
    () => writeNifti({ data: [1], shape: [1, 1, 1], affine: [[1]] }, { datatype: 'float32' }),
    ValidationError,
  );
  assert.throws(
    () => writeNifti({ data: [1], shape: [1, 1, 1] }, { datatype: 'float32', sclSlope: 0 }),
    ValidationError,
  );
});
