import type { Rng } from '@spottune/random';
import { groupOf, type Derivative, type ModalityGroup } from './modalities.ts';
import { SEGMENT, type TumourGeometry } from './synthetic-tumour.ts';
import type { Shape3 } from './volume.ts';

interface ModalityModel {
  datatype: 'int16' | 'float32';
  /** Mean of normal brain. */
  brain: number;
  /** Region means relative to brain: necrosis, enhancing, oedema. */
  necrosis: number;
  enhancing: number;
  oedema: number;
  /** Voxel noise sd relative to the local mean. */
  noise: number;
}

/**
 * Rough magnitudes of the UPENN-GBM derivatives: structural MR in int16 scanner units; DTI diffusivities
 * in mm²/s and FA in [0, 1]; DSC ap-rCBV relative, peak height in signal units, PSR as a fraction.
 */
const MODELS: Record<Derivative, ModalityModel> = {
  T1: { datatype: 'int16', brain: 600, necrosis: 0.5, enhancing: 0.9, oedema: 0.8, noise: 0.05 },
  T1GD: { datatype: 'int16', brain: 650, necrosis: 0.45, enhancing: 1.9, oedema: 0.85, noise: 0.05 },
  T2: { datatype: 'int16', brain: 500, necrosis: 2.2, enhancing: 1.4, oedema: 1.8, noise: 0.05 },
  FLAIR: { datatype: 'int16', brain: 450, necrosis: 1.2, enhancing: 1.5, oedema: 2.0, noise: 0.05 },
  DTI_AD: { datatype: 'float32', brain: 0.0013, necrosis: 2.2, enhancing: 1.2, oedema: 1.5, noise: 0.08 },
  DTI_FA: { datatype: 'float32', brain: 0.35, necrosis: 0.3, enhancing: 0.5, oedema: 0.6, noise: 0.1 },
  DTI_RD: { datatype: 'float32', brain: 0.0007, necrosis: 3.0, enhancing: 1.5, oedema: 1.9, noise: 0.08 },
  DTI_TR: { datatype: 'float32', brain: 0.0025, necrosis: 2.4, enhancing: 1.3, oedema: 1.6, noise: 0.08 },
  'DSC_ap-rCBV': { datatype: 'float32', brain: 1.0, necrosis: 0.3, enhancing: 2.5, oedema: 0.8, noise: 0.12 },
  DSC_PH: { datatype: 'float32', brain: 20, necrosis: 0.3, enhancing: 2.2, oedema: 0.9, noise: 0.12 },
  DSC_PSR: { datatype: 'float32', brain: 0.85, necrosis: 1.0, enhancing: 0.75, oedema: 0.95, noise: 0.06 },
};

/** How strongly the MGMT label shows in each group (the paper: DSC and DTI beat structural). */
const LABEL_STRENGTH: Record<ModalityGroup, number> = { DSC: 1, DTI: 0.8, Struct: 0.15 };

export function modalityDatatype(derivative: Derivative): 'int16' | 'float32' {
  return MODELS[derivative].datatype;
}

/** The head: an ellipsoid filling most of the field of view (skull-stripped data is 0 outside). */
export function headMask(shape: Shape3): Uint8Array {
  const [D, H, W] = shape;
  const out = new Uint8Array(D * H * W);
  const c = [(D - 1) / 2, (H - 1) / 2, (W - 1) / 2];
  const r = [D * 0.48, H * 0.42, W * 0.36];
  for (let d = 0; d < D; d++) {
    const z = (d - c[0]!) / r[0]!;
    for (let h = 0; h < H; h++) {
      const y = (h - c[1]!) / r[1]!;
      const zy = z * z + y * y;
      if (zy > 1) continue;
      for (let w = 0; w < W; w++) {
        const x = (w - c[2]!) / r[2]!;
        if (zy + x * x <= 1) out[(d * H + h) * W + w] = 1;
      }
    }
  }
  return out;
}

/**
 * One derivative's voxel values. The MGMT label (1 = methylated) acts only through `effect`: a
 * methylated tumour gets a brighter enhancing region (×(1 + 0.35·E·s)) and a finer texture inside the
 * tumour (frequency ×(1 + 0.6·E·s)), with s = 1 for DSC, 0.8 for DTI and 0.15 for structural. With E = 0
 * the label changes nothing, and the random draws never depend on it.
 */
export function synthesizeModality(options: {
  derivative: Derivative;
  shape: Shape3;
  head: Uint8Array;
  segmentation: Uint8Array;
  tumour: TumourGeometry;
  label: 0 | 1;
  effect: number;
  rng: Rng;
}): Float32Array {
  const { derivative, shape, head, segmentation, tumour, label, effect, rng } = options;
  const m = MODELS[derivative];
  const s = LABEL_STRENGTH[groupOf(derivative)] * effect * label;
  const [D, H, W] = shape;
  // Per-patient variability, drawn identically whatever the label.
  const scanGain = 0.9 + 0.2 * rng.uniform();
  const enhJitter = 0.85 + 0.3 * rng.uniform();
  const phase = [rng.uniform(), rng.uniform(), rng.uniform()].map((u) => u * 2 * Math.PI);
  const baseFreq = 0.9 + 0.2 * rng.uniform();
  const brain = m.brain * scanGain;
  const regionMean = [0, 0, 0, 0, 0];
  regionMean[SEGMENT.necrosis] = brain * m.necrosis;
  regionMean[SEGMENT.oedema] = brain * m.oedema;
  regionMean[SEGMENT.enhancing] = brain * m.enhancing * enhJitter * (1 + 0.35 * s);
  // Texture period ~ a third of the tumour radius; methylated tumours a finer one.
  const radius = Math.max(1, (tumour.oedema.axes[0] + tumour.oedema.axes[1] + tumour.oedema.axes[2]) / 3);
  const freq = ((2 * Math.PI) / Math.max(1.5, radius / 3)) * baseFreq * (1 + 0.6 * s);
  const out = new Float32Array(D * H * W);
  // Separable modulations, tabulated per axis: no trig in the voxel loop.
  const table = (n: number, f: number, p: number, a: number): Float64Array =>
    Float64Array.from({ length: n }, (_, i) => a * Math.sin(f * i + p));
  const bz = table(D, (2 * Math.PI) / D, phase[0]!, 0.05);
  const by = table(H, (2 * Math.PI) / H, phase[1]!, 0.05);
  const bx = table(W, (2 * Math.PI) / W, phase[2]!, 0.05);
  const tz = table(D, freq, phase[0]!, 1);
  const ty = table(H, freq, phase[1]!, 1);
  const tx = table(W, freq, phase[2]!, 1);
  for (let d = 0; d < D; d++) {
    for (let h = 0; h < H; h++) {
      const row = (d * H + h) * W;
      const brainRow = brain * (1 + bz[d]! + by[h]!);
      const textureRow = tz[d]! * ty[h]!;
      for (let w = 0; w < W; w++) {
        const i = row + w;
        const seg = segmentation[i]!;
        if (head[i] === 0 && seg === 0) continue;
        const mean =
          seg === 0 ? brainRow + brain * bx[w]! : regionMean[seg]! * (1 + 0.15 * textureRow * tx[w]!);
        // Irwin–Hall of the four bytes of one uint32: a cheap, nearly normal deviate (sd 1).
        const u = rng.nextUint32();
        const z = ((u & 0xff) + ((u >>> 8) & 0xff) + ((u >>> 16) & 0xff) + (u >>> 24) - 510) / 147.8;
        const v = mean * (1 + m.noise * z);
        out[i] = v > 0 ? v : 0;
      }
    }
  }
  return out;
}
