import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '@spottune/errors';
import { checkKey, checkPrefix } from './object-key.ts';
import { parseObjectUri } from './parse-object-uri.ts';

test('parseObjectUri: s3 bucket and prefix, file URIs and paths', () => {
  assert.deepEqual(parseObjectUri('s3://my-bucket/a/b'), { kind: 's3', bucket: 'my-bucket', prefix: 'a/b/' });
  assert.deepEqual(parseObjectUri('s3://my-bucket'), { kind: 's3', bucket: 'my-bucket', prefix: '' });
  assert.deepEqual(parseObjectUri('s3://my-bucket/'), { kind: 's3', bucket: 'my-bucket', prefix: '' });
  assert.deepEqual(parseObjectUri('file:///var/objects'), { kind: 'local', dir: '/var/objects' });
  assert.deepEqual(parseObjectUri('/var/objects'), { kind: 'local', dir: '/var/objects' });
  assert.throws(() => parseObjectUri('s3://Bad_Bucket/x'), /not a valid S3 bucket/);
  assert.throws(() => parseObjectUri('gs://bucket/x'), /unsupported scheme/);
  assert.throws(() => parseObjectUri(''), ValidationError);
});

test('object keys: relative, no dot segments, no empty segments', () => {
  assert.equal(checkKey('cohorts/c1/UPENN-GBM-00001/DSC_PH.f32'), 'cohorts/c1/UPENN-GBM-00001/DSC_PH.f32');
  for (const bad of [
    '',
    '/a',
    'a/',
    'a//b',
    '..',
    'a/../b',
    './a',
    '.hidden',
    'a\\b',
    'a\0b',
    'x'.repeat(1025),
  ]) {
    assert.throws(() => checkKey(bad), ValidationError, JSON.stringify(bad));
  }
  assert.equal(checkPrefix(''), '');
  assert.equal(checkPrefix('a/b/'), 'a/b/');
  assert.throws(() => checkPrefix('../'), ValidationError);
});
