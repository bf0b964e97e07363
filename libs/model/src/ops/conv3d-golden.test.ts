import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { conv3d } from './conv3d.ts';
import { initBackend } from './backend.ts';

/*
 * Golden values from PyTorch 1.13 (Debian python3-torch), float64, NCDHW permuted to NDHWC:
 *
 *   import torch, json
 *   torch.set_default_dtype(torch.float64)
 *   N,D,H,W,C,CO=2,7,9,8,3,5
 *   k=3; s=(2,1,2); d=(2,2,1); p=(2,2,1)
 *   xi=torch.arange(N*D*H*W*C, dtype=torch.float64)
 *   x=torch.sin(0.37*xi).reshape(N,D,H,W,C).permute(0,4,1,2,3).contiguous().requires_grad_(True)
 *   wi=torch.arange(k*k*k*C*CO, dtype=torch.float64)
 *   w=(torch.cos(0.11*wi)*0.2).reshape(k,k,k,C,CO).permute(4,3,0,1,2).contiguous().requires_grad_(True)
 *   y=torch.nn.functional.conv3d(x,w,stride=s,dilation=d,padding=p)
 *   yl=y.permute(0,2,3,4,1)  # NDHWC
 *   dyi=torch.arange(yl.numel(), dtype=torch.float64)
 *   dy=torch.sin(0.05*dyi+1).reshape(yl.shape)
 *   yl.backward(dy)
 *   dx=x.grad.permute(0,2,3,4,1).reshape(-1); dw=w.grad.permute(2,3,4,1,0).reshape(-1); yf=yl.detach().reshape(-1)
 *   def st(t): return [float(t.sum()), float((t*t).sum()), [float(t[i]) for i in (0, 7, t.numel()//3, t.numel()-1)]]
 *   print(json.dumps({'yShape': list(yl.shape), 'y': st(yf), 'dx': st(dx), 'dw': st(dw)}))
 */
type Stats = [number, number, [number, number, number, number]];
const expected: { yShape: number[]; y: Stats; dx: Stats; dw: Stats } = {
  yShape: [2, 4, 9, 4, 5],
  y: [
    -10.583903763900626,
    15769.647473195211,
    [-0.9556762373824688, -1.087418943067091, -3.399487768738721, 2.7092593026027334],
  ],
  dx: [
    9.131587944204949,
    1936.9113240202732,
    [-1.2696032395553603, -1.1535089824604436, -1.0294586647923127, -1.6728182444166857],
  ],
  dw: [
    -9.155496143599443,
    338.59930764940685,
    [0.35265781300182425, 0.35899554274952367, -0.388971829759675, 0.12346214768227881],
  ],
};

function check(actual: Float32Array, want: Stats, what: string): void {
  let sum = 0;
  let sq = 0;
  for (const v of actual) {
    sum += v;
    sq += v * v;
  }
  const rms = Math.sqrt(want[1] / actual.length);
  assert.ok(Math.abs(sq - want[1]) <= 1e-4 * want[1], `${what}: sum of squares ${sq} vs ${want[1]}`);
  // A sum cancels: compare it on the scale of its terms.
  assert.ok(Math.abs(sum - want[0]) <= 1e-4 * rms * actual.length, `${what}: sum ${sum} vs ${want[0]}`);
  const idx = [0, 7, Math.floor(actual.length / 3), actual.length - 1];
  idx.forEach((i, j) => {
    const w = want[2][j]!;
    assert.ok(
      Math.abs(actual[i]! - w) <= 1e-4 * Math.max(Math.abs(w), rms),
      `${what}[${i}]: ${actual[i]} vs ${w}`,
    );
  });
}

const seq = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`conv3d against PyTorch on ${backend}`, () => {
    it('matches a strided, dilated, padded conv3d forward and both gradients', async () => {
      assert.equal(await initBackend(backend), backend);
      const x = tf.tensor5d(
        seq(2 * 7 * 9 * 8 * 3, (i) => Math.sin(0.37 * i)),
        [2, 7, 9, 8, 3],
      );
      const w = tf.tensor5d(
        seq(27 * 3 * 5, (i) => Math.cos(0.11 * i) * 0.2),
        [3, 3, 3, 3, 5],
      );
      const opts = { strides: [2, 1, 2], dilations: [2, 2, 1], padding: [2, 2, 1] } as const;
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        conv3d(a as tf.Tensor5D, b as tf.Tensor5D, {
          strides: [...opts.strides],
          dilations: [...opts.dilations],
          padding: [...opts.padding],
        });
      const y = f(x, w);
      assert.deepEqual(y.shape, expected.yShape);
      const dy = tf.tensor5d(
        seq(y.size, (i) => Math.sin(0.05 * i + 1)),
        y.shape,
      );
      const [dx, dw] = tf.grads(f)([x, w], dy);
      check(y.dataSync() as Float32Array, expected.y, 'y');
      check(dx!.dataSync() as Float32Array, expected.dx, 'dx');
      check(dw!.dataSync() as Float32Array, expected.dw, 'dw');
      tf.dispose([x, w, y, dy, dx!, dw!]);
      await initBackend('cpu');
    });
  });
}
