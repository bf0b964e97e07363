import { checkVolume, type Volume3 } from './volume.ts';

/**
 * `np.flip(arr, axis=(1,2,3))` of the reference: reverse D, H and W at once (a point reflection through
 * the centre). `axes` picks other axes (0 = D, 1 = H, 2 = W). An involution: flipping twice is the identity.
 */
export function flipVolume(volume: Volume3, axes: readonly (0 | 1 | 2)[] = [0, 1, 2]): Volume3 {
  checkVolume(volume);
  const [D, H, W] = volume.shape;
  const fd = axes.includes(0);
  const fh = axes.includes(1);
  const fw = axes.includes(2);
  const src = volume.data;
  const out = new Float32Array(src.length);
  for (let d = 0; d < D; d++) {
    const sd = fd ? D - 1 - d : d;
    for (let h = 0; h < H; h++) {
      const sh = fh ? H - 1 - h : h;
      const o = (d * H + h) * W;
      const s = (sd * H + sh) * W;
      if (fw) for (let w = 0; w < W; w++) out[o + w] = src[s + W - 1 - w]!;
      else out.set(src.subarray(s, s + W), o);
    }
  }
  return { data: out, shape: volume.shape };
}
