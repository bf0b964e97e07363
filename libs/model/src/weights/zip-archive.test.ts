import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { DataError } from '@spottune/errors';
import { ZipArchive, crc32, crc32Js } from './zip-archive.ts';

test('the JS CRC-32 fallback agrees with zlib (python: zlib.crc32(b"hello") == 907060870)', () => {
  const hello = new TextEncoder().encode('hello');
  assert.equal(crc32Js(hello), 907060870);
  assert.equal(crc32(hello), 907060870);
  const noise = new Uint8Array(100_003).map((_, i) => (i * 2654435761) >>> 24);
  assert.equal(crc32Js(noise), crc32(noise));
});

test('stored and deflated entries read back; a missing entry is a DataError', () => {
  const a = new TextEncoder().encode('a'.repeat(1000));
  const b = Uint8Array.from([1, 2, 3]);
  const archive = new ZipArchive(zipSync({ 'x/a': [a, { level: 9 }], 'x/b': [b, { level: 0 }] }), 'test.zip');
  assert.deepEqual([...archive.entries.keys()], ['x/a', 'x/b']);
  assert.equal(archive.entries.get('x/a')?.method, 8);
  assert.equal(archive.entries.get('x/b')?.method, 0);
  assert.deepEqual(archive.read('x/a'), a);
  assert.deepEqual(archive.read('x/b'), b);
  assert.throws(
    () => archive.read('x/c'),
    (e: unknown) => e instanceof DataError && /test\.zip.*'x\/c' is missing/.test(e.message),
  );
});
