import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertFeaturesClose, medicalNetFile, repoRoot } from './support.ts';

// The real binary, as a user runs it (`npx spottune ...`): bin linking, tsx, command registration.
function spottune(...args: string[]) {
  return spawnSync('npx', ['--no-install', 'spottune', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
}

test('spottune weights import, then model features from the native directory and the .pth', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spottune-cli-weights-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'resnet10');
  const pth = medicalNetFile('resnet10_w16_legacy.pth');
  const imported = spottune(
    'weights',
    'import',
    pth,
    '--arch',
    'resnet10',
    '--widths',
    '16,32,64,128',
    '--out',
    out,
  );
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, /imported 60 tensors .* of resnet10 widths 16,32,64,128/);
  const inspect = spottune('weights', 'inspect', out, '--json');
  assert.equal(inspect.status, 0, inspect.stderr);
  const listed = JSON.parse(inspect.stdout) as { tensors: { name: string; shape: number[] }[] };
  assert.deepEqual(listed.tensors[0], { name: 'conv1.weight', dtype: 'float32', shape: [16, 1, 7, 7, 7] });

  const expected = JSON.parse(readFileSync(medicalNetFile('resnet10_w16_expected.json'), 'utf8')) as {
    features: number[];
  };
  const input = medicalNetFile('resnet10_w16_input.npy');
  for (const weights of [out, pth]) {
    const r = spottune(
      'model',
      'features',
      '--weights',
      weights,
      '--arch',
      'resnet10',
      '--widths',
      '16,32,64,128',
      '--input',
      input,
      '--json',
    );
    assert.equal(r.status, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { features: number[] };
    assertFeaturesClose(printed.features, expected.features, `cli ${weights}`);
  }
});

test('CLI errors: wrong arch is a data error (exit 1), a bad flag a usage error (exit 2)', () => {
  const pth = medicalNetFile('resnet10_w16_zip.pth');
  const input = medicalNetFile('resnet10_w16_input.npy');
  const wrong = spottune(
    'model',
    'features',
    '--weights',
    pth,
    '--arch',
    'resnet50',
    '--input',
    input,
    '--json',
  );
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /DATA_INVALID: checkpoint does not match MedicalNet resnet50/);
  const bad = spottune('weights', 'import', pth, '--arch', 'resnet11', '--out', join(tmpdir(), 'never'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /arch: expected one of resnet10, resnet18, resnet34, resnet50, got 'resnet11'/);
});
