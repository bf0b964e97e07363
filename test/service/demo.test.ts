import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.ts';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');

/** `spottune demo` in embedded mode (PGlite, local storage, in-process runner), scaled down. */
test(
  'spottune demo runs the whole protocol embedded and prints the tables',
  { timeout: 300_000 },
  async () => {
    const home = await mkdtemp(join(tmpdir(), 'spottune-demo-'));
    try {
      const args = [
        'demo',
        '--patients',
        '12',
        '--networks',
        'resnet,transfer,radiomics-rf',
        '--size',
        '20x32x32',
        '--modalities',
        'T1,DSC_PH',
        '--epochs',
        '1',
      ];
      const {
        status: code,
        stdout: out,
        stderr: err,
      } = await runCli(
        args,
        { PATH: process.env.PATH ?? '', SPOTTUNE_HOME: home, LOG_LEVEL: 'warn', LOG_PRETTY: 'false' },
        { cwd: root },
      );
      assert.equal(code, 0, `demo failed:\n${out}\n${err}`);
      assert.match(out, /cohort demo-42-12-20x32x32 ingested/);
      // 2 networks × 2 derivatives × 2 folds, plus the radiomics forest once per fold
      assert.match(out, /experiment [0-9a-f-]{36}: 10 trials/);
      assert.match(out, /experiment [0-9a-f-]{36}: SUCCEEDED/);
      const table = (title: RegExp) => out.slice(out.search(title)).split('\n\n')[0]!;
      assert.match(
        table(/Table 3\. Randomly initialised/),
        /\nDSC\s+\d\.\d{4}.*\nStruct\s.*\nDSC\+Struct\s/s,
      );
      assert.match(table(/Table 4\. Transferred/), /\nDSC\+Struct\s+\d\.\d{4}/);
      assert.match(table(/Baseline\. Radiomics random forest/), /\nStruct\s+\d\.\d{4}/);
      assert.match(table(/Table 5\. Friedman/), /\nStruct\s+\S+\s+(radiomics-rf, resnet|\(no post-hoc)/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  },
);
