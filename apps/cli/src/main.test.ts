import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// Runs the real binary as a user would (`npx spottune`), so bin linking and tsx registration are covered.
function spottune(...args: string[]) {
  return spawnSync('npx', ['--no-install', 'spottune', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
}

test('spottune --help lists the program and exits 0', () => {
  const r = spottune('--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: spottune/);
});

test('an unknown command is a usage error (exit 2)', () => {
  const r = spottune('no-such-command');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command|too many arguments/);
});
