import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataError, NotFoundError } from '@spottune/errors';
import { readNifti, readNiftiSync } from './nifti-reader.ts';
import { NiftiError } from './nifti-error.ts';
import { sharedDataPath } from './shared-data.ts';

// Corrupt variants are built in memory from real files: anatomical.nii is an uncompressed big-endian
// NIfTI-1 int16 (33×41×25, vox_offset 352), example_nifti2.nii.gz a gzipped little-endian NIfTI-2.
const anatomical = readFileSync(sharedDataPath('nifti', 'anatomical.nii'));
const nifti2gz = readFileSync(sharedDataPath('nifti', 'example_nifti2.nii.gz'));

function edited(
  edit: (view: DataView, bytes: Uint8Array) => void,
  source: Uint8Array = anatomical,
): Uint8Array {
  const bytes = new Uint8Array(source);
  edit(new DataView(bytes.buffer), bytes);
  return bytes;
}

async function rejects(bytes: Uint8Array, reason: RegExp, name = 'corrupt.nii'): Promise<void> {
  for (const read of [() => readNifti(bytes, { name }), async () => readNiftiSync(bytes, { name })]) {
    await assert.rejects(read, (e: unknown) => {
      assert.ok(e instanceof NiftiError, `not a NiftiError: ${String(e)}`);
      assert.ok(e instanceof DataError);
      assert.equal(e.code, 'NIFTI_INVALID');
      assert.equal(e.details?.['file'], name);
      assert.match(String(e.details?.['reason']), reason);
      assert.match(e.message, new RegExp(name.replace('.', '\\.')));
      return true;
    });
  }
}

test('the unmodified sources read (so every failure below comes from the edit)', async () => {
  await readNifti(anatomical);
  await readNifti(nifti2gz);
});

test('truncated voxel data', async () => {
  await rejects(anatomical.subarray(0, anatomical.length - 10), /truncated/);
  await rejects(anatomical.subarray(0, 400), /truncated.*need 67650 bytes at offset 352, only 48 present/);
});

test('a file shorter than a header', async () => {
  await rejects(anatomical.subarray(0, 100), /shorter than a NIfTI-1 header/);
  await rejects(new Uint8Array(0), /shorter than a NIfTI-1 header/);
});

test('not a NIfTI file at all / wrong magic', async () => {
  await rejects(new TextEncoder().encode('hello world '.repeat(40)), /sizeof_hdr.*not a NIfTI file/);
  await rejects(
    edited((_, b) => b.set([0x78, 0x79, 0x7a, 0], 344)),
    /wrong magic "xyz"/,
  );
  await rejects(
    edited((_, b) => b.set([0x6e, 0x69, 0x31, 0], 344)),
    /\.hdr\/\.img pair/,
  );
});

test('dims × datatype larger than the file', async () => {
  await rejects(
    edited((v) => v.setInt16(46, 250, false)), // dim[3]: 25 → 250
    /truncated: dims 33×41×250 × 2 bytes/,
  );
  await rejects(
    edited((v) => v.setInt16(70, 64, false)), // int16 → float64 doubles the bytes needed
    /truncated.*\(float64\)/,
  );
});

test('corrupt or cut gzip stream', async () => {
  const mid = Math.floor(nifti2gz.length / 2);
  await rejects(
    edited((_, b) => {
      for (let k = 0; k < 16; k++) b[mid + k] = (b[mid + k] ?? 0) ^ 0xff;
    }, nifti2gz),
    /corrupt gzip/,
  );
  await rejects(nifti2gz.subarray(0, mid), /corrupt gzip/);
  // One flipped bit in the last data byte is caught by the CRC-32 trailer, not silently read.
  const small = gzipSync(anatomical);
  await rejects(
    edited((_, b) => void (b[b.length - 9] = (b[b.length - 9] ?? 0) ^ 1), small),
    /corrupt gzip/,
  );
});

test('unsupported datatypes are refused by name', async () => {
  await rejects(
    edited((v) => v.setInt16(70, 128, false)),
    /unsupported datatype RGB24 \(128\)/,
  );
  await rejects(
    edited((v) => v.setInt16(70, 32, false)),
    /unsupported datatype complex64 \(32\)/,
  );
  await rejects(
    edited((v) => v.setInt16(70, 1024, false)),
    /unsupported datatype int64 \(1024\)/,
  );
  await rejects(
    edited((v) => v.setInt16(70, 3, false)),
    /unsupported datatype unknown code 3/,
  );
});

test('negative, zero or impossible dims', async () => {
  await rejects(
    edited((v) => v.setInt16(42, -33, false)),
    /dim\[1\] = -33/,
  );
  await rejects(
    edited((v) => v.setInt16(44, 0, false)),
    /dim\[2\] = 0/,
  );
  await rejects(
    edited((v) => v.setInt16(40, 0, false)),
    /dim\[0\] = 0/,
  );
  await rejects(
    edited((v) => v.setInt16(40, 9, false)),
    /dim\[0\] = 9/,
  );
  // NIfTI-2 (64-bit dims, little-endian) with a negative dim[1].
  const v2 = new Uint8Array(gunzipSync(nifti2gz));
  new DataView(v2.buffer).setBigInt64(24, -32n, true);
  await rejects(v2, /dim\[1\] = -32/);
});

test('vox_offset beyond the file or inside the header', async () => {
  await rejects(
    edited((v) => v.setFloat32(108, 1e6, false)),
    /vox_offset 1000000 is beyond the end/,
  );
  await rejects(
    edited((v) => v.setFloat32(108, 0, false)),
    /vox_offset 0 is inside the header/,
  );
  await rejects(
    edited((v) => v.setFloat32(108, NaN, false)),
    /vox_offset NaN/,
  );
});

test('a valid slope with a non-finite intercept is refused (nibabel raises too)', async () => {
  await rejects(
    edited((v) => {
      v.setFloat32(112, 2, false);
      v.setFloat32(116, Infinity, false);
    }),
    /scl_inter Infinity is not finite/,
  );
});

test('a qform quaternion with norm > 1 is refused when the qform is used', async () => {
  await rejects(
    edited((v) => {
      v.setInt16(254, 0, false); // no sform, so the qform decides the affine
      v.setFloat32(256, 0.9, false);
      v.setFloat32(260, 0.9, false);
    }),
    /quaternion/,
  );
});

test('a missing path is a NotFoundError naming the file', async () => {
  await assert.rejects(readNifti('/nonexistent/dir/x.nii.gz'), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.match(e.message, /\/nonexistent\/dir\/x\.nii\.gz/);
    return true;
  });
});
