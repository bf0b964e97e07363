import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { AppError, DataError } from '@spottune/errors';
import { PickleGlobalNotAllowedError, readTorchCheckpoint } from '@spottune/model';
import { PickleWriter, medicalNetFile } from './support.ts';

// Checkpoints of ../shared/data/medicalnet, written by PyTorch in both formats. Reference values from
// PyTorch 1.13 (Debian python3-torch, /usr/bin/python3), the same for both formats:
//   sd = torch.load(f)['state_dict']; len(sd); sd['module.conv1.weight'].flatten()[:3].tolist()
//   sum(float(v.double().sum()) for v in sd.values() if v.is_floating_point())
//   sd['module.layer4.0.bn2.running_var'][:2].tolist()
const TORCH = {
  resnet10_w16: {
    size: 72,
    conv1: [-0.09080786257982254, 0.1063879057765007, 0.16080710291862488],
    sum: 1433.6547655048257,
    runningVar: [1.2770023345947266, 0.5789130926132202],
  },
  resnet50_w8: {
    size: 318,
    conv1: [-0.01008055079728365, -0.0095784617587924, 0.02629181556403637],
    sum: 6663.701351477626,
    runningVar: [0.567987859249115, 1.2838221788406372],
  },
};

for (const [name, ref] of Object.entries(TORCH)) {
  for (const format of ['zip', 'legacy']) {
    test(`${name}_${format}.pth reads as PyTorch reads it`, async () => {
      const sd = await readTorchCheckpoint(readFileSync(medicalNetFile(`${name}_${format}.pth`)));
      assert.equal(sd.size, ref.size);
      assert.deepEqual([...(sd.get('module.conv1.weight')?.data as Float32Array).subarray(0, 3)], ref.conv1);
      assert.deepEqual(
        [...(sd.get('module.layer4.0.bn2.running_var')?.data as Float32Array).subarray(0, 2)],
        ref.runningVar,
      );
      let sum = 0;
      for (const t of sd.values()) if (t.data instanceof Float32Array) for (const v of t.data) sum += v;
      assert.ok(Math.abs(sum - ref.sum) < 1e-9 * Math.abs(ref.sum), `${sum} vs ${ref.sum}`);
      assert.equal(sd.get('module.bn1.num_batches_tracked')?.data[0], 0n);
    });
  }
}

test('zip and legacy files give the same 72-tensor ResNet10 state dict', async () => {
  const zip = await readTorchCheckpoint(readFileSync(medicalNetFile('resnet10_w16_zip.pth')));
  const legacy = await readTorchCheckpoint(readFileSync(medicalNetFile('resnet10_w16_legacy.pth')));
  assert.equal(zip.size, 72);
  assert.deepEqual([...zip.keys()], [...legacy.keys()]);
  for (const [name, t] of zip) {
    const other = legacy.get(name);
    assert.ok(other !== undefined, name);
    assert.deepEqual(other.shape, t.shape, name);
    assert.equal(other.dtype, t.dtype, name);
    assert.deepEqual(other.data, t.data, name);
  }
  const conv1 = zip.get('module.conv1.weight');
  assert.deepEqual(conv1?.shape, [16, 1, 7, 7, 7]);
  assert.equal(conv1?.dtype, 'float32');
  const tracked = zip.get('module.bn1.num_batches_tracked');
  assert.equal(tracked?.dtype, 'int64');
  assert.deepEqual(tracked?.shape, []);
});

test('ResNet50 checkpoints: 318 tensors, bottleneck shapes, both formats equal', async () => {
  const zip = await readTorchCheckpoint(readFileSync(medicalNetFile('resnet50_w8_zip.pth')));
  const legacy = await readTorchCheckpoint(readFileSync(medicalNetFile('resnet50_w8_legacy.pth')));
  assert.equal(zip.size, 318);
  assert.equal(legacy.size, 318);
  assert.deepEqual(zip.get('module.layer4.0.conv3.weight')?.shape, [256, 64, 1, 1, 1]);
  assert.deepEqual(zip.get('module.layer1.0.downsample.0.weight')?.shape, [32, 8, 1, 1, 1]);
  for (const [name, t] of zip) assert.deepEqual(legacy.get(name)?.data, t.data, name);
});

test('truncated files are DataErrors naming the file', async () => {
  for (const name of ['resnet10_w16_zip.pth', 'resnet10_w16_legacy.pth']) {
    const bytes = readFileSync(medicalNetFile(name));
    for (const cut of [10, 200, Math.floor(bytes.length / 2), bytes.length - 1]) {
      await assert.rejects(readTorchCheckpoint(bytes.subarray(0, cut), { source: name }), (e: unknown) => {
        assert.ok(e instanceof DataError, `${name} cut at ${cut}: ${String(e)}`);
        assert.match(e.message, new RegExp(name.replace('.', '\\.')));
        return true;
      });
    }
  }
});

test('a flipped byte in a zip storage fails its CRC; garbage is not a checkpoint', async () => {
  const bytes = new Uint8Array(readFileSync(medicalNetFile('resnet10_w16_zip.pth')));
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0xff;
  await assert.rejects(readTorchCheckpoint(bytes, { source: 'flipped.pth' }), /flipped\.pth.*CRC-32/);
  await assert.rejects(readTorchCheckpoint(new TextEncoder().encode('hello world')), DataError);
  await assert.rejects(readTorchCheckpoint(new Uint8Array(0)), DataError);
});

test('a corrupt pickle opcode is a DataError with its offset', async () => {
  const pkl = Uint8Array.from([0x80, 0x02, 0x7d, 0xff, 0x2e]); // PROTO 2, EMPTY_DICT, bad opcode
  const archive = zipSync({
    'archive/data.pkl': [pkl, { level: 0 }],
    'archive/version': new Uint8Array([0x33]),
  });
  await assert.rejects(
    readTorchCheckpoint(archive, { source: 'bad.pth' }),
    /bad\.pth: corrupt pickle at byte 3: unsupported opcode 0xff/,
  );
});

// `os.system('echo pwned')` as protocol-2 pickle: GLOBAL 'os system', args ('echo pwned',), REDUCE, STOP.
const EVIL = Uint8Array.from([
  0x80,
  0x02,
  0x63,
  ...new TextEncoder().encode('os\nsystem\n'),
  0x58,
  10,
  0,
  0,
  0,
  ...new TextEncoder().encode('echo pwned'),
  0x85,
  0x52,
  0x2e,
]);

test('a disallowed global is refused by name, in both formats, before anything is called', async () => {
  const archive = zipSync({ 'archive/data.pkl': EVIL, 'archive/version': new Uint8Array([0x33]) });
  const check = (e: unknown): boolean => {
    assert.ok(e instanceof PickleGlobalNotAllowedError);
    assert.ok(e instanceof AppError);
    assert.equal(e.code, 'PICKLE_GLOBAL_NOT_ALLOWED');
    assert.equal(e.global, 'os.system');
    assert.match(e.message, /evil\.pth: pickle global 'os\.system' is not allowed/);
    return true;
  };
  await assert.rejects(readTorchCheckpoint(archive, { source: 'evil.pth' }), check);
  // Legacy: the genuine magic/protocol/sys-info pickles (137 bytes, see pickletools), then the evil one.
  const head = readFileSync(medicalNetFile('resnet10_w16_legacy.pth')).subarray(0, 137);
  const legacy = new Uint8Array([...head, ...EVIL]);
  await assert.rejects(readTorchCheckpoint(legacy, { source: 'evil.pth' }), check);
});

test('deflated zip entries are inflated', async () => {
  // Re-pack the genuine archive, deflating data.pkl and the small storages: same tensors.
  const { unzipSync } = await import('fflate');
  const original = readFileSync(medicalNetFile('resnet10_w16_zip.pth'));
  const files = unzipSync(original);
  const deflated = zipSync(
    Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { level: v.length < 30000 ? 6 : 0 }]])),
  );
  const a = await readTorchCheckpoint(original);
  const b = await readTorchCheckpoint(deflated);
  assert.deepEqual([...b.keys()], [...a.keys()]);
  assert.deepEqual(b.get('module.layer4.0.conv2.weight')?.data, a.get('module.layer4.0.conv2.weight')?.data);
});

test('a bare state dict with a transposed (strided) tensor view is honoured', async () => {
  const w = new PickleWriter();
  w.global('collections', 'OrderedDict').op(0x29).op(0x52); // OrderedDict()
  w.mark().str('w').global('torch._utils', '_rebuild_tensor_v2').mark();
  w.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(6).op(0x74).op(0x51); // BINPERSID
  w.int(0).int(2).int(3).op(0x86).int(1).int(2).op(0x86); // offset 0, size (2, 3), stride (1, 2)
  w.op(0x89).global('collections', 'OrderedDict').op(0x29).op(0x52).op(0x74).op(0x52); // args tuple, REDUCE
  w.op(0x75); // SETITEMS
  const storage = new Uint8Array(Float32Array.from([0, 1, 2, 3, 4, 5]).buffer);
  const archive = zipSync({
    'archive/data.pkl': w.bytes(),
    'archive/data/0': storage,
    'archive/byteorder': new TextEncoder().encode('little'),
  });
  const sd = await readTorchCheckpoint(archive);
  assert.deepEqual([...sd.keys()], ['w']);
  assert.deepEqual(sd.get('w')?.shape, [2, 3]);
  assert.deepEqual([...(sd.get('w')?.data as Float32Array)], [0, 2, 4, 1, 3, 5]);
  // A view reaching past its storage is refused.
  const big = zipSync({ 'archive/data.pkl': w.bytes(), 'archive/data/0': storage.subarray(0, 16) });
  await assert.rejects(
    readTorchCheckpoint(big, { source: 'short.pth' }),
    /short\.pth.*storage '0' has 16 bytes, expected 24/,
  );
});

test("Python 2's OrderedDict pickling (items as the REDUCE argument, py2 str keys) is read", async () => {
  // OrderedDict([['w', tensor]]) with the key as SHORT_BINSTRING, as Python 2's pickle writes a str.
  const w = new PickleWriter();
  w.global('collections', 'OrderedDict').op(0x5d).mark(); // OrderedDict, [, MARK (for the [k, v] pair)
  w.op(0x55).op(1).op(0x77); // SHORT_BINSTRING 'w'
  w.global('torch._utils', '_rebuild_tensor_v2').mark();
  w.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(2).op(0x74).op(0x51);
  w.int(0).int(2).op(0x85).int(1).op(0x85).op(0x89).op(0x4e).op(0x74).op(0x52); // offset, (2,), (1,), False, None
  w.op(0x6c).op(0x61).op(0x85).op(0x52); // LIST [k, v], APPEND it, (list,), REDUCE
  const storage = new Uint8Array(Float32Array.from([1.5, -2]).buffer);
  const sd = await readTorchCheckpoint(zipSync({ 'a/data.pkl': w.bytes(), 'a/data/0': storage }));
  assert.deepEqual([...sd.keys()], ['w']);
  assert.deepEqual([...(sd.get('w')?.data as Float32Array)], [1.5, -2]);
});

test('an expanded (stride-0) view that names an absurd number of elements is refused', async () => {
  const w = new PickleWriter();
  w.global('collections', 'OrderedDict').op(0x29).op(0x52).mark().str('big');
  w.global('torch._utils', '_rebuild_tensor_v2').mark();
  w.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(1).op(0x74).op(0x51);
  w.int(0)
    .int(100000)
    .int(100000)
    .op(0x86)
    .int(0)
    .int(0)
    .op(0x86)
    .op(0x89)
    .op(0x4e)
    .op(0x74)
    .op(0x52)
    .op(0x75);
  const archive = zipSync({ 'a/data.pkl': w.bytes(), 'a/data/0': new Uint8Array(4) });
  await assert.rejects(
    readTorchCheckpoint(archive, { source: 'bomb.pth' }),
    /bomb\.pth: 'big': view \[100000,100000\] expands 1 stored elements to 10000000000/,
  );
});
