import type { Rng } from '@spottune/random';
import { ValidationError } from '@spottune/errors';
import { checkVolume, type Volume3 } from './volume.ts';

export interface RotateOptions {
  /**
   * The plane rotated, as (row axis, column axis); the third axis is carried along like skimage's
   * channels. Default [0, 1] = D–H, what the reference's intended `skimage.transform.rotate` does.
   */
  plane?: readonly [0 | 1 | 2, 0 | 1 | 2];
  /** Angle in degrees; default an integer uniform on [−180, 180) (`rng.integers(-180, 180)`). */
  angle?: number;
  /** Reproduce reference bug Q3: the "rotate" augment is a copy of the base volume. */
  faithful?: boolean;
}

/** A random angle as the reference's dead code draws it: integer, uniform on [−180, 179]. */
export function randomRotationAngle(rng: Rng): number {
  return rng.integer(-180, 180);
}

/**
 * `skimage.transform.rotate(vol, angle, preserve_range=True)` (order 1, mode constant, cval 0, no
 * resize, about the image centre ((n−1)/2)) applied in `plane`. An output voxel at (row r, col c) reads
 * the input at R(angle)·((c, r) − centre) + centre, bilinear, with neighbours outside the volume = 0.
 */
export function rotateVolume(volume: Volume3, rng: Rng, options: RotateOptions = {}): Volume3 {
  checkVolume(volume);
  const angle = options.angle ?? randomRotationAngle(rng);
  if (options.faithful === true) return { data: new Float32Array(volume.data), shape: volume.shape };
  const [ra, ca] = options.plane ?? [0, 1];
  if (ra === ca) throw new ValidationError(`rotate: plane axes must differ, got [${ra}, ${ca}]`);
  const other = (3 - ra - ca) as 0 | 1 | 2;
  const shape = volume.shape;
  const strides = [shape[1] * shape[2], shape[2], 1] as const;
  const rows = shape[ra];
  const cols = shape[ca];
  const depth = shape[other];
  const rs = strides[ra];
  const cs = strides[ca];
  const os = strides[other];
  const theta = (angle * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cr = rows / 2 - 0.5;
  const cc = cols / 2 - 0.5;
  const src = volume.data;
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = c - cc;
      const y = r - cr;
      const xi = cos * x - sin * y + cc;
      const yi = sin * x + cos * y + cr;
      // Outside by a full voxel or more: every neighbour is the constant 0.
      if (xi <= -1 || yi <= -1 || xi >= cols || yi >= rows) continue;
      const r0 = Math.floor(yi);
      const c0 = Math.floor(xi);
      const fr = yi - r0;
      const fc = xi - c0;
      const w00 = (1 - fr) * (1 - fc);
      const w01 = (1 - fr) * fc;
      const w10 = fr * (1 - fc);
      const w11 = fr * fc;
      const in00 = r0 >= 0 && c0 >= 0;
      const in01 = r0 >= 0 && c0 + 1 < cols;
      const in10 = r0 + 1 < rows && c0 >= 0;
      const in11 = r0 + 1 < rows && c0 + 1 < cols;
      const base = r0 * rs + c0 * cs;
      const obase = r * rs + c * cs;
      for (let k = 0; k < depth; k++) {
        const b = base + k * os;
        let v = 0;
        if (in00) v += w00 * src[b]!;
        if (in01) v += w01 * src[b + cs]!;
        if (in10) v += w10 * src[b + rs]!;
        if (in11) v += w11 * src[b + rs + cs]!;
        out[obase + k * os] = v;
      }
    }
  }
  return { data: out, shape };
}
