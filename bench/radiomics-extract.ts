// Times extractRadiomicsFeatures on one original-resolution BraTS-sized case (155×240×240 voxels,
// 4 modalities, a spherical tumour: necrotic r < 10, enhancing r < 20, oedema r < 35 voxels).
// Run: npx tsx bench/radiomics-extract.ts
import { performance } from 'node:perf_hooks';
import { Rng } from '@spottune/random';
import { extractRadiomicsFeatures } from '@spottune/evaluation';

const shape = [155, 240, 240] as const;
const [d, h, w] = shape;
const n = d * h * w;
const rng = new Rng('bench-radiomics');
const volume = (): Float32Array => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 200 + 50 * rng.uniform();
  return a;
};
const mask = new Uint8Array(n);
let roi = 0;
for (let z = 0; z < d; z++)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const r = Math.hypot(z - 77, y - 120, x - 120);
      const label = r < 10 ? 1 : r < 20 ? 4 : r < 35 ? 2 : 0;
      mask[(z * h + y) * w + x] = label;
      if (label > 0) roi++;
    }
const input = { T1: volume(), T1GD: volume(), T2: volume(), FLAIR: volume(), mask, shape };
const t0 = performance.now();
const features = extractRadiomicsFeatures(input);
const seconds = (performance.now() - t0) / 1000;
console.log(
  `radiomics extraction: ${d}×${h}×${w} volume, ${roi} tumour voxels, 6 features in ${seconds.toFixed(2)} s ` +
    `(node ${process.version})`,
);
console.log(features);
