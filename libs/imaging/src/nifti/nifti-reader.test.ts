import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as niftiJs from 'nifti-reader-js';
import { readNifti, readNiftiSync } from './nifti-reader.ts';
import { parseNiftiHeader } from './nifti-header.ts';
import { NiftiError } from './nifti-error.ts';
import { handmadeNifti } from './handmade-nifti.ts';
import { sharedDataPath } from './shared-data.ts';

interface Expected {
  nifti_version: 1 | 2;
  dims: number[];
  datatype: string;
  pixdim: number[];
  scl_slope: number;
  scl_inter: number;
  qform_code: number;
  sform_code: number;
  affine_nibabel: number[][];
  scaled_min: number;
  scaled_max: number;
  scaled_sum: number;
  scaled_mean: number;
  voxel_first_xyz_000: number;
}

const dir = sharedDataPath('nifti');
const expected = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as Record<string, Expected>;
const files = readdirSync(dir).filter((f) => f.endsWith('.nii') || f.endsWith('.nii.gz'));

function close(actual: number, want: number, rel: number, what: string): void {
  const tol = rel * Math.max(1, Math.abs(want));
  assert.ok(Math.abs(actual - want) <= tol, `${what}: ${actual} vs ${want} (tolerance ${tol})`);
}

test('the shared folder holds exactly the files expected.json describes', () => {
  assert.ok(files.length >= 9, `only ${files.length} NIfTI files in ${dir}`);
  assert.deepEqual([...files].sort(), Object.keys(expected).sort());
});

for (const file of files) {
  test(`${file} reads as nibabel reads it`, async () => {
    const e = expected[file];
    assert.ok(e !== undefined, `no expected values for ${file}`);
    const v = await readNifti(`${dir}/${file}`);
    assert.equal(v.version, e.nifti_version);
    assert.deepEqual(v.dims, e.dims);
    assert.deepEqual(v.shape, [...e.dims].reverse());
    // nibabel names a big-endian dtype by its numpy string (">i2").
    const bigEndian = e.datatype.startsWith('>');
    const dtype = bigEndian ? ({ '>i2': 'int16' } as Record<string, string>)[e.datatype] : e.datatype;
    assert.equal(v.datatype, dtype);
    assert.equal(v.littleEndian, !bigEndian);
    assert.equal(v.sclSlope, e.scl_slope);
    assert.equal(v.sclInter, e.scl_inter);
    assert.equal(v.qformCode, e.qform_code);
    assert.equal(v.sformCode, e.sform_code);
    v.pixdim.forEach((p, k) => close(p, e.pixdim[k] ?? NaN, 1e-7, `pixdim[${k}]`));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const got = v.affine[i]?.[j] ?? NaN;
        const want = e.affine_nibabel[i]?.[j] ?? NaN;
        assert.ok(Math.abs(got - want) <= 1e-5, `affine[${i}][${j}] = ${got}, nibabel ${want}`);
      }
    }
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < v.data.length; i++) {
      const x = v.data[i] as number;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    close(min, e.scaled_min, 1e-12, 'min');
    close(max, e.scaled_max, 1e-12, 'max');
    close(sum, e.scaled_sum, 1e-6, 'sum');
    close(sum / v.data.length, e.scaled_mean, 1e-6, 'mean');
    close(v.data[0] ?? NaN, e.voxel_first_xyz_000, 1e-12, 'voxel (0,0,0)');
  });
}

test('the header parser agrees with nifti-reader-js on every shared file', () => {
  for (const file of files) {
    let bytes: Uint8Array = readFileSync(`${dir}/${file}`);
    if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
    const ours = parseNiftiHeader(bytes, file);
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const theirs = niftiJs.readHeader(ab);
    const ndim = ours.dim[0] ?? 0;
    assert.deepEqual(ours.dim.slice(0, ndim + 1), theirs.dims.slice(0, ndim + 1), file);
    assert.equal(ours.datatypeCode, theirs.datatypeCode, file);
    assert.equal(ours.littleEndian, theirs.littleEndian, file);
    assert.equal(ours.voxOffset, theirs.vox_offset, file);
    assert.equal(ours.sclSlope, theirs.scl_slope, file);
    assert.equal(ours.sclInter, theirs.scl_inter, file);
    assert.equal(ours.qformCode, theirs.qform_code, file);
    assert.equal(ours.sformCode, theirs.sform_code, file);
    assert.deepEqual(ours.pixdim, theirs.pixDims, file);
    assert.deepEqual(ours.quatern, [theirs.quatern_b, theirs.quatern_c, theirs.quatern_d], file);
  }
});

test('axis order: file (x, y, z) becomes C-order (z, y, x) with no voxel moved', () => {
  // x = 0..1, y = 0..2, z = 0..3, value = x + 10y + 100z, stored x fastest.
  const values: number[] = [];
  for (let z = 0; z < 4; z++)
    for (let y = 0; y < 3; y++) for (let x = 0; x < 2; x++) values.push(x + 10 * y + 100 * z);
  const v = readNiftiSync(handmadeNifti({ datatypeCode: 4, bytesPerVoxel: 2, dims: [2, 3, 4], values }));
  assert.deepEqual(v.dims, [2, 3, 4]);
  assert.deepEqual(v.shape, [4, 3, 2]);
  const [D, H, W] = v.shape as [number, number, number];
  for (let z = 0; z < D; z++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) assert.equal(v.data[(z * H + y) * W + x], x + 10 * y + 100 * z);
    }
  }
});

const DATATYPES = [
  { name: 'uint8', code: 2, bytes: 1, values: [0, 1, 127, 255] },
  { name: 'int8', code: 256, bytes: 1, values: [-128, -1, 0, 127] },
  { name: 'int16', code: 4, bytes: 2, values: [-32768, -2, 300, 32767] },
  { name: 'uint16', code: 512, bytes: 2, values: [0, 1, 40000, 65535] },
  { name: 'int32', code: 8, bytes: 4, values: [-2147483648, -5, 16777217, 2147483647] },
  { name: 'uint32', code: 768, bytes: 4, values: [0, 7, 16777217, 4294967295] },
  { name: 'float32', code: 16, bytes: 4, values: [-1.5, 0, 3.25, 2 ** 100] },
  { name: 'float64', code: 64, bytes: 8, values: [-1e-300, 0.1, 16777217.5, 1e300] },
] as const;

for (const dt of DATATYPES) {
  for (const version of [1, 2] as const) {
    for (const littleEndian of [true, false]) {
      test(`${dt.name}, NIfTI-${version}, ${littleEndian ? 'little' : 'big'}-endian reads exactly`, () => {
        const bytes = handmadeNifti({
          version,
          littleEndian,
          datatypeCode: dt.code,
          bytesPerVoxel: dt.bytes,
          dims: [2, 2, 1],
          values: [...dt.values],
        });
        const v = readNiftiSync(bytes);
        assert.equal(v.datatype, dt.name);
        assert.equal(v.version, version);
        assert.equal(v.littleEndian, littleEndian);
        // Types a float32 cannot hold exactly default to float64.
        const wide = dt.name === 'int32' || dt.name === 'uint32' || dt.name === 'float64';
        assert.ok(v.data instanceof (wide ? Float64Array : Float32Array));
        assert.deepEqual(Array.from(v.data), [...dt.values]);
      });
    }
  }
}

test('precision option: float64 on request, and scaled data defaults to float64', async () => {
  const anat = await readNifti(`${dir}/anatomical.nii`, { precision: 'float64' });
  assert.ok(anat.data instanceof Float64Array);
  const func = await readNifti(`${dir}/functional.nii`);
  assert.ok(func.data instanceof Float64Array);
  const func32 = await readNifti(`${dir}/functional.nii`, { precision: 'float32' });
  assert.ok(func32.data instanceof Float32Array);
  assert.equal(func32.data[0], Math.fround(func.data[0] ?? NaN));
});

test('scaling follows nibabel: slope 0 or NaN means none; a finite slope applies in float64', () => {
  const mk = (sclSlope: number, sclInter: number) =>
    readNiftiSync(
      handmadeNifti({
        datatypeCode: 4,
        bytesPerVoxel: 2,
        dims: [2, 1, 1],
        values: [3, -4],
        sclSlope,
        sclInter,
      }),
    );
  for (const slope of [0, NaN, Infinity]) {
    const v = mk(slope, 5);
    assert.deepEqual(Array.from(v.data), [3, -4], `slope ${slope}`);
    assert.equal(v.sclSlope, 1);
    assert.equal(v.sclInter, 0);
  }
  const s = mk(0.5, 10);
  assert.deepEqual(Array.from(s.data), [11.5, 8]);
  assert.equal(s.sclSlope, 0.5);
  const odd = mk(0.1, 0);
  assert.equal(odd.data[0], 3 * Math.fround(0.1));
});

test('affines match nibabel for qform-only, fallback and fixed-up headers', () => {
  // Expected affines printed by nibabel 5.0.0 for the same headers, written from this test's cases with
  // handmadeNifti to /tmp and loaded with:
  //   /usr/bin/python3 -c "import nibabel as nib; print(nib.load('caseA.nii').affine.tolist())"
  const base = {
    datatypeCode: 16,
    bytesPerVoxel: 4,
    dims: [5, 6, 7],
    values: Array.from({ length: 210 }, (_, i) => i),
  };
  const cases: Array<[string, Parameters<typeof handmadeNifti>[0], number[][]]> = [
    [
      'qform only, qfac -1',
      { ...base, qformCode: 1, quatern: [0.1, 0.2, 0.3], pixdim: [-1, 2, 3, 4], qoffset: [10, -20, 30] },
      [
        [1.4799999666213983, -1.5492513835553647, -1.7237789870466562, 10.0],
        [1.1928342604719482, 2.3999999552965154, 0.26188946074077313, -20.0],
        [-0.6218894804103061, 0.9164171348946458, -3.599999988079071, 30.0],
        [0, 0, 0, 1],
      ],
    ],
    [
      'no xform: base affine',
      { ...base, pixdim: [1, 2, 3, 4] },
      [
        [-2, 0, 0, 4],
        [0, 3, 0, -7.5],
        [0, 0, 4, -12],
        [0, 0, 0, 1],
      ],
    ],
    [
      'zero and negative pixdim fixed',
      { ...base, pixdim: [0, 0, -3, 4] },
      [
        [-1, 0, 0, 2],
        [0, 3, 0, -7.5],
        [0, 0, 4, -12],
        [0, 0, 0, 1],
      ],
    ],
    [
      'NIfTI-2 big-endian qform',
      {
        ...base,
        version: 2,
        littleEndian: false,
        qformCode: 1,
        quatern: [0.5, -0.5, 0.5],
        pixdim: [1, 1.5, 2.5, 3.5],
        qoffset: [1, 2, 3],
      },
      [
        [0, -2.5, 0, 1],
        [0, 0, -3.5, 2],
        [1.5, 0, 0, 3],
        [0, 0, 0, 1],
      ],
    ],
    [
      'sform wins over qform',
      {
        ...base,
        qformCode: 1,
        sformCode: 2,
        quatern: [0.1, 0.2, 0.3],
        pixdim: [1, 2, 3, 4],
        srow: [
          [0, 2, 0, 5],
          [3, 0, 0, 6],
          [0, 0, -4, 7],
        ],
      },
      [
        [0, 2, 0, 5],
        [3, 0, 0, 6],
        [0, 0, -4, 7],
        [0, 0, 0, 1],
      ],
    ],
    [
      'invalid qform_code 7 → 0',
      { ...base, qformCode: 7, quatern: [0.1, 0.2, 0.3], pixdim: [1, 2, 3, 4] },
      [
        [-2, 0, 0, 4],
        [0, 3, 0, -7.5],
        [0, 0, 4, -12],
        [0, 0, 0, 1],
      ],
    ],
    [
      'qfac 0 → 1',
      { ...base, qformCode: 1, quatern: [0, 0, 1], pixdim: [0, 2, 3, 4], qoffset: [1, 1, 1] },
      [
        [-2, 0, 0, 1],
        [0, -3, 0, 1],
        [0, 0, 4, 1],
        [0, 0, 0, 1],
      ],
    ],
  ];
  for (const [name, header, want] of cases) {
    const v = readNiftiSync(handmadeNifti(header), { name });
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const got = v.affine[i]?.[j] ?? NaN;
        const w = want[i]?.[j] ?? NaN;
        assert.ok(Math.abs(got - w) <= 1e-6, `${name}: affine[${i}][${j}] = ${got}, nibabel ${w}`);
      }
    }
  }
});

test('header extensions: data starts at vox_offset, after the extension bytes', () => {
  const plain = handmadeNifti({ datatypeCode: 4, bytesPerVoxel: 2, dims: [3, 1, 1], values: [7, -8, 9] });
  // Insert one 16-byte extension (esize 16, ecode 6 = comment) between the header and the data.
  const withExt = new Uint8Array(plain.length + 16);
  withExt.set(plain.subarray(0, 352), 0);
  withExt.set(plain.subarray(352), 368);
  const view = new DataView(withExt.buffer);
  view.setUint8(348, 1);
  view.setInt32(352, 16, true);
  view.setInt32(356, 6, true);
  withExt.set(new TextEncoder().encode('hello!!!'), 360);
  view.setFloat32(108, 368, true);
  assert.deepEqual(Array.from(readNiftiSync(withExt).data), [7, -8, 9]);
});

test('a directory path is a NiftiError, not a crash', async () => {
  await assert.rejects(
    readNifti(dir),
    (e: unknown) => e instanceof NiftiError && /is a directory/.test(e.message),
  );
});
