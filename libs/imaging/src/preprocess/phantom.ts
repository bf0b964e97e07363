/**
 * A deterministic closed-form "brain with tumour" for checks and benchmarks, reproducible in numpy
 * (see preprocess.test.ts): image = 100 + 40·sin(0.11z + 0.07y)·cos(0.05x) + ((7z + 13y + 3x) mod 17),
 * mask = nested ellipsoid shells around (70, 120, 128) labelled 4 (r < 0.3), 1 (r < 0.6), 2 (r < 1).
 */
export function tumourPhantom(shape: [number, number, number] = [155, 240, 240]): {
  image: Float64Array;
  mask: Uint8Array;
  shape: [number, number, number];
} {
  const [D, H, W] = shape;
  const image = new Float64Array(D * H * W);
  const mask = new Uint8Array(D * H * W);
  let i = 0;
  for (let z = 0; z < D; z++) {
    for (let y = 0; y < H; y++) {
      const s = Math.sin(0.11 * z + 0.07 * y);
      for (let x = 0; x < W; x++, i++) {
        image[i] = 100 + 40 * s * Math.cos(0.05 * x) + ((7 * z + 13 * y + 3 * x) % 17);
        const r = ((z - 70) / 38) ** 2 + ((y - 120) / 55) ** 2 + ((x - 128) / 47) ** 2;
        mask[i] = r < 0.3 ? 4 : r < 0.6 ? 1 : r < 1 ? 2 : 0;
      }
    }
  }
  return { image, mask, shape };
}
