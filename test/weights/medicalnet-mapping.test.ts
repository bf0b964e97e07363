import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DataError } from '@spottune/errors';
import { Rng } from '@spottune/random';
import {
  ParameterStore,
  corrected,
  defineNetwork,
  faithful,
  isQ14SkippedBlock,
  mapMedicalNetStateDict,
  medicalNetSource,
  readTorchCheckpoint,
} from '@spottune/model';
import type { TorchStateDict } from '@spottune/model';
import { medicalNetFile } from './support.ts';

const WIDTHS = [8, 16, 32, 64] as const;
const resnet50 = async (): Promise<TorchStateDict> =>
  readTorchCheckpoint(readFileSync(medicalNetFile('resnet50_w8_zip.pth')), { source: 'resnet50_w8_zip.pth' });

/** Names of the main network's parameters the network helper defines (no agent, no head). */
function mainNames(network: 'resnet' | 'spottune', q14 = false): string[] {
  const def = defineNetwork({
    network,
    depth: 50,
    widths: WIDTHS,
    inChannels: 1,
    faithful: q14 ? faithful() : corrected(),
  });
  return def.specs.filter((s) => s.group === 'main' && !s.name.startsWith('classify.')).map((s) => s.name);
}

test('plain mapping: names equal the network’s, conv kernels transposed to [kd,kh,kw,in,out]', async () => {
  const sd = await resnet50();
  const mapped = mapMedicalNetStateDict(sd, { arch: 'resnet50', widths: WIDTHS, target: 'resnet' });
  assert.deepEqual([...mapped.keys()].sort(), mainNames('resnet').sort());
  const torch = sd.get('module.layer2.0.conv2.weight');
  const ours = mapped.get('layer2.0.conv2.weight');
  assert.deepEqual(torch?.shape, [16, 16, 3, 3, 3]);
  assert.deepEqual(ours?.shape, [3, 3, 3, 16, 16]);
  // torch[o, i, a, b, c] == ours[a, b, c, i, o] at a few positions
  for (const [o, i, a, b, c] of [
    [0, 0, 0, 0, 0],
    [5, 11, 2, 1, 0],
    [15, 3, 1, 2, 2],
  ] as const) {
    const t: number | undefined = (torch?.data as Float32Array)[(((o * 16 + i) * 3 + a) * 3 + b) * 3 + c];
    const u: number | undefined = ours?.data[(((a * 3 + b) * 3 + c) * 16 + i) * 16 + o];
    assert.equal(u, t);
  }
  assert.deepEqual(
    mapped.get('layer1.0.downsample.1.running_var')?.data,
    sd.get('module.layer1.0.downsample.1.running_var')?.data,
  );
});

test('SpotTune mapping fills both copies of all 16 ResNet50 blocks, as separate buffers', async () => {
  const sd = await resnet50();
  const mapped = mapMedicalNetStateDict(sd, { arch: 'resnet50', widths: WIDTHS, target: 'spottune' });
  assert.deepEqual([...mapped.keys()].sort(), mainNames('spottune').sort());
  const blocks = new Set(
    [...mapped.keys()].map((k) =>
      /^(blocks|parallel_blocks)\.(layer\d\.\d+)\./.exec(k)?.slice(1, 3).join(':'),
    ),
  );
  blocks.delete(undefined as unknown as string);
  assert.equal(blocks.size, 32);
  for (const [name, t] of mapped) {
    if (!name.startsWith('blocks.')) continue;
    const twin = mapped.get(`parallel_${name}`);
    assert.ok(twin !== undefined, name);
    assert.deepEqual(twin.data, t.data, name);
    assert.notEqual(twin.data.buffer, t.data.buffer, `${name} shares its buffer`);
  }
  assert.ok(mapped.has('conv1.weight') && !mapped.has('blocks.conv1.weight'));
});

test('faithful Q14 leaves layer3.3–5 unloaded in both copies, and only those', async () => {
  const sd = await resnet50();
  const full = mapMedicalNetStateDict(sd, { arch: 'resnet50', widths: WIDTHS, target: 'spottune' });
  const q14 = mapMedicalNetStateDict(sd, {
    arch: 'resnet50',
    widths: WIDTHS,
    target: 'spottune',
    faithful: { q14: true },
  });
  const dropped = [...full.keys()].filter((k) => !q14.has(k));
  const expected = [...full.keys()].filter((k) => /^(blocks|parallel_blocks)\.layer3\.[345]\./.test(k));
  assert.deepEqual(dropped.sort(), expected.sort());
  // 2 copies × 3 blocks × (3 convs + 3 BNs × 4 tensors) = 90: §5.4’s 92 missing keys less classify.{weight,bias}
  assert.equal(dropped.length, 2 * 3 * 15);
  assert.ok(q14.has('blocks.layer3.2.conv2.weight') && q14.has('parallel_blocks.layer3.2.bn3.running_var'));
  assert.ok(isQ14SkippedBlock('layer3.4.conv1.weight') && !isQ14SkippedBlock('layer3.2.conv1.weight'));
  // Through the ParameterSource into a real store: the skipped entries keep their random init.
  const def = defineNetwork({
    network: 'spottune',
    depth: 50,
    widths: WIDTHS,
    inChannels: 1,
    faithful: faithful(),
  });
  const store = new ParameterStore(def.specs, new Rng(7));
  try {
    const report = await medicalNetSource(sd).load(store, { def, faithful: faithful() });
    assert.deepEqual(
      report.skipped.filter((n) => !n.startsWith('agent.') && !n.startsWith('classify.')).sort(),
      expected.sort(),
    );
    assert.notDeepEqual(
      store.read('blocks.layer3.3.conv1.weight'),
      full.get('blocks.layer3.3.conv1.weight')?.data,
    );
    assert.deepEqual(
      store.read('parallel_blocks.layer3.2.conv1.weight'),
      full.get('parallel_blocks.layer3.2.conv1.weight')?.data,
    );
  } finally {
    store.dispose();
  }
});

test('a missing tensor is refused, naming it', async () => {
  const sd = await resnet50();
  sd.delete('module.layer2.0.downsample.1.running_var');
  assert.throws(
    () => mapMedicalNetStateDict(sd, { arch: 'resnet50', widths: WIDTHS, target: 'spottune' }),
    (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(
        e.message,
        /does not match MedicalNet resnet50 with widths 8,16,32,64: missing 1: layer2\.0\.downsample\.1\.running_var$/,
      );
      assert.deepEqual(e.details?.missing, ['layer2.0.downsample.1.running_var']);
      return true;
    },
  );
});

test('a mis-shaped tensor is refused with expected and actual shapes; a wrong arch too', async () => {
  const sd = await resnet50();
  sd.set('module.layer4.0.conv2.weight', {
    shape: [64, 64, 3, 3, 1],
    dtype: 'float32',
    data: new Float32Array(64 * 64 * 9),
  });
  assert.throws(
    () => mapMedicalNetStateDict(sd, { arch: 'resnet50', widths: WIDTHS, target: 'resnet' }),
    /mis-shaped 1: layer4\.0\.conv2\.weight: expected \[64,64,3,3,3\], got \[64,64,3,3,1\]/,
  );
  // The ResNet50 file read as a ResNet10: bottleneck tensors are unexpected, basic ones mis-shaped.
  assert.throws(
    () => mapMedicalNetStateDict(sd, { arch: 'resnet10', target: 'resnet' }),
    (e: unknown) =>
      e instanceof DataError &&
      /mis-shaped \d+: .*\| unexpected \d+: .*layer1\.0\.conv3\.weight/.test(e.message),
  );
  // Wrong widths: every block tensor is mis-shaped.
  assert.throws(
    () => mapMedicalNetStateDict(sd, { arch: 'resnet50', widths: [16, 32, 64, 128], target: 'resnet' }),
    /mis-shaped \d+: .*\(\d+ in all\)/,
  );
});

test('num_batches_tracked and conv_seg are ignored; other extra keys are not', async () => {
  const sd = await resnet50();
  sd.set('module.conv_seg.0.weight', { shape: [1], dtype: 'float32', data: new Float32Array(1) });
  assert.ok(
    mapMedicalNetStateDict(sd, { arch: 'resnet50', widths: WIDTHS, target: 'resnet' }).has('conv1.weight'),
  );
  sd.set('module.fc.weight', { shape: [1], dtype: 'float32', data: new Float32Array(1) });
  assert.throws(
    () => mapMedicalNetStateDict(sd, { arch: 'resnet50', widths: WIDTHS, target: 'resnet' }),
    /unexpected 1: fc\.weight/,
  );
});

test('widths are read off the checkpoint when not given; the stem inflates to n channels (§5.7)', async () => {
  const sd = await resnet50();
  const one = mapMedicalNetStateDict(sd, { arch: 'resnet50', target: 'transfer' });
  const three = mapMedicalNetStateDict(sd, { arch: 'resnet50', target: 'transfer', inChannels: 3 });
  const w1 = one.get('conv1.weight');
  const w3 = three.get('conv1.weight');
  assert.deepEqual(w1?.shape, [7, 7, 7, 1, 8]);
  assert.deepEqual(w3?.shape, [7, 7, 7, 3, 8]);
  for (let s = 0; s < 343; s += 37)
    for (let o = 0; o < 8; o++)
      for (let c = 0; c < 3; c++)
        assert.equal(w3?.data[(s * 3 + c) * 8 + o], Math.fround((w1?.data[s * 8 + o] as number) / 3));
});
