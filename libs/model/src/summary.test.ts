import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { corrected, faithful } from './settings.ts';
import { summarizeModel } from './summary.ts';

const fullSize = { depth: 50 as const, inputShape: [70, 86, 86] as [number, number, number] };

const table51 = [
  { point: 'conv1', shape: [64, 35, 43, 43] },
  { point: 'maxpool', shape: [64, 18, 22, 22] },
  { point: 'stage1', shape: [256, 18, 22, 22] },
  { point: 'stage2', shape: [512, 9, 11, 11] },
  { point: 'stage3', shape: [1024, 9, 11, 11] },
  { point: 'stage4', shape: [2048, 9, 11, 11] },
  { point: 'output', shape: [1, 1] },
  { point: 'agent', shape: [1, 32] },
];

test('faithful SpotTune ResNet50 matches the reference counts and §5.1 shapes', () => {
  const s = summarizeModel({ network: 'spottune', ...fullSize, faithful: faithful() });
  assert.deepEqual(s.shapes, table51);
  assert.equal(s.counts.totalParams, 92_290_113);
  assert.equal(s.counts.trainableParams, 46_135_041);
  assert.equal(s.counts.agentParams, 14_371_936);
  assert.equal(s.counts.trainableWithAgent, 60_506_977);
  // Q13: the 4 projection-shortcut BNs per copy exist (and train) but never act: 2 × 7,680.
  assert.equal(s.counts.unusedParams, 15_360);
  // PyTorch's 106,217 BN buffers = these running mean/var elements + 105 num_batches_tracked counters.
  assert.equal(s.counts.bufferElements + 105, 106_217);
  assert.equal(s.gmac.total.toFixed(2), '127.61');
  assert.equal(s.gmac.main.toFixed(2), '108.90');
  assert.equal(s.gmac.agent.toFixed(2), '18.71');
});

test('corrected SpotTune has the same parameters; the shortcut BNs are used, so none is unused', () => {
  // The corrections change the forward pass (shortcut BN applied, every stage-3/4 block dilated,
  // frozen BNs in eval mode), not which tensors exist: the counts stay those of the reference.
  const s = summarizeModel({ network: 'spottune', ...fullSize, faithful: corrected() });
  assert.deepEqual(s.shapes, table51);
  assert.equal(s.counts.totalParams, 92_290_113);
  assert.equal(s.counts.trainableParams, 46_135_041);
  assert.equal(s.counts.agentParams, 14_371_936);
  assert.equal(s.counts.trainableWithAgent, 60_506_977);
  assert.equal(s.counts.unusedParams, 0);
  // Dilation does not change MACs.
  assert.equal(s.gmac.total.toFixed(2), '127.61');
});

test('baselines: random ResNet50 is one copy, all trainable; transfer trains the head (+ N blocks)', () => {
  const random = summarizeModel({ network: 'resnet', ...fullSize, faithful: faithful() });
  assert.equal(random.counts.totalParams, 46_157_121);
  assert.equal(random.counts.trainableParams, 46_157_121);
  assert.equal(random.counts.agentParams, 0);
  assert.equal(random.gmac.total.toFixed(2), '55.16');
  const transfer = summarizeModel({ network: 'transfer', ...fullSize });
  assert.equal(transfer.counts.totalParams, 46_157_121);
  assert.equal(transfer.counts.trainableParams, 2_049);
  // The notebook's `layer4` re-run: the 3 layer4 bottlenecks = stage 4's 29,120,512 parameters (§5.6).
  const layer4 = summarizeModel({ network: 'transfer', ...fullSize, unfreezeBlocks: 3 });
  assert.equal(layer4.counts.trainableParams, 2_049 + 29_120_512);
});

test('depth 10/18/34 use BasicBlocks with widths×1 features', () => {
  for (const depth of [10, 18, 34] as const) {
    const s = summarizeModel({ network: 'resnet', depth, inputShape: [16, 20, 20], widths: [4, 8, 16, 32] });
    assert.deepEqual(s.shapes.at(-2), { point: 'stage4', shape: [32, 2, 3, 3] });
    assert.equal(s.blocks, { 10: 4, 18: 8, 34: 16 }[depth]);
  }
});

test('CLI: spottune model summary --faithful --json prints the reference counts', () => {
  const r = spawnSync(
    'npx',
    [
      '--no-install',
      'spottune',
      'model',
      'summary',
      '--network',
      'spottune',
      '--depth',
      '50',
      '--input',
      '70x86x86',
      '--faithful',
      '--json',
    ],
    { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } },
  );
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as ReturnType<typeof summarizeModel>;
  assert.equal(s.counts.totalParams, 92_290_113);
  assert.equal(s.counts.trainableWithAgent, 60_506_977);
  const bad = spawnSync('npx', ['--no-install', 'spottune', 'model', 'summary', '--depth', '51'], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--depth/);
});
