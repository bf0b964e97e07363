import type { ConvGeometry } from './conv-geometry.ts';

/**
 * im2col / col2im for NDHWC volumes in plain JS. Row r of the column matrix is output voxel r
 * (n, od, oh, ow in row-major order); its K·C columns are the receptive field, tap-major
 * ((a·kh + b)·kw + c)·C + ci, which matches filter.reshape([kd·kh·kw·cin, cout]).
 * Output coordinates advance with counters (no per-row division); a row whose receptive field lies
 * inside the volume copies contiguous channel runs (a whole kw·C run when dilation_w = 1); only
 * border rows test bounds and write zeros.
 */
export interface ColPlan {
  g: ConvGeometry;
  /** channels of the volume being unrolled */
  c: number;
  /** columns per row = kd·kh·kw·c */
  cols: number;
  /** source offsets (relative to the first tap) of each (a,b) run when dilation_w = 1, else each tap */
  runOffsets: Int32Array;
  /** floats per run: kw·c when dilation_w = 1, else c */
  runLength: number;
}

export function colPlan(g: ConvGeometry, c: number): ColPlan {
  const [kd, kh, kw] = g.kernel;
  const [dd, dh, dw] = g.dilations;
  const [, h, w] = g.inShape;
  const contiguousW = dw === 1;
  const runs = contiguousW ? kd * kh : kd * kh * kw;
  const runOffsets = new Int32Array(runs);
  let i = 0;
  for (let a = 0; a < kd; a++) {
    for (let b = 0; b < kh; b++) {
      if (contiguousW) {
        runOffsets[i++] = (a * dd * h + b * dh) * w * c;
      } else {
        for (let e = 0; e < kw; e++) runOffsets[i++] = ((a * dd * h + b * dh) * w + e * dw) * c;
      }
    }
  }
  return { g, c, cols: kd * kh * kw * c, runOffsets, runLength: contiguousW ? kw * c : c };
}

function copyRun(src: Float32Array, from: number, dst: Float32Array, to: number, len: number): void {
  if (len >= 32) {
    dst.set(src.subarray(from, from + len), to);
  } else {
    for (let i = 0; i < len; i++) dst[to + i] = src[from + i]!;
  }
}

/** Visits output rows [row0, row0 + rows) in order: fn(r, n, iz0, iy0, ix0) with the receptive field's corner. */
function forEachRow(
  g: ConvGeometry,
  row0: number,
  rows: number,
  fn: (r: number, n: number, iz0: number, iy0: number, ix0: number) => void,
): void {
  const [OD, OH, OW] = g.outShape;
  const [sd, sh, sw] = g.strides;
  const [pd, ph, pw] = g.padding;
  // Output coordinates advance with counters: no per-row division.
  let ow = row0 % OW;
  let t = (row0 - ow) / OW;
  let oh = t % OH;
  t = (t - oh) / OH;
  let od = t % OD;
  let n = (t - od) / OD;
  for (let r = 0; r < rows; r++) {
    fn(r, n, od * sd - pd, oh * sh - ph, ow * sw - pw);
    if (++ow === OW) {
      ow = 0;
      if (++oh === OH) {
        oh = 0;
        if (++od === OD) {
          od = 0;
          n++;
        }
      }
    }
  }
}

/**
 * One row's receptive field, tap by tap with bounds tests: copies it from `vol` into `col` at `o`
 * (zeros outside the volume), or with `scatter` adds `col` back into `vol` (the adjoint).
 */
function walkField(
  plan: ColPlan,
  n: number,
  iz0: number,
  iy0: number,
  ix0: number,
  col: Float32Array,
  o: number,
  vol: Float32Array,
  scatter: boolean,
): void {
  const { g, c } = plan;
  const [D, H, W] = g.inShape;
  const [kd, kh, kw] = g.kernel;
  const [dd, dh, dw] = g.dilations;
  for (let a = 0; a < kd; a++) {
    const iz = iz0 + a * dd;
    if (iz < 0 || iz >= D) {
      if (!scatter) col.fill(0, o, o + kh * kw * c);
      o += kh * kw * c;
      continue;
    }
    for (let b = 0; b < kh; b++) {
      const iy = iy0 + b * dh;
      if (iy < 0 || iy >= H) {
        if (!scatter) col.fill(0, o, o + kw * c);
        o += kw * c;
        continue;
      }
      const rowBase = ((n * D + iz) * H + iy) * W;
      for (let e = 0; e < kw; e++, o += c) {
        const ix = ix0 + e * dw;
        const inside = ix >= 0 && ix < W;
        if (scatter) {
          if (!inside) continue;
          const p = (rowBase + ix) * c;
          for (let i = 0; i < c; i++) vol[p + i]! += col[o + i]!;
        } else if (inside) copyRun(vol, (rowBase + ix) * c, col, o, c);
        else col.fill(0, o, o + c);
      }
    }
  }
}

/** Writes rows [row0, row0 + rows) of the column matrix of `src` (NDHWC, plan.c channels) into `out`. */
export function im2col(
  plan: ColPlan,
  src: Float32Array,
  row0: number,
  rows: number,
  out: Float32Array,
): void {
  const { g, c, cols, runOffsets, runLength } = plan;
  const [D, H, W] = g.inShape;
  const spanD = (g.kernel[0] - 1) * g.dilations[0];
  const spanH = (g.kernel[1] - 1) * g.dilations[1];
  const spanW = (g.kernel[2] - 1) * g.dilations[2];
  const nRuns = runOffsets.length;
  forEachRow(g, row0, rows, (r, n, iz0, iy0, ix0) => {
    const dst = r * cols;
    if (iz0 >= 0 && iz0 + spanD < D && iy0 >= 0 && iy0 + spanH < H && ix0 >= 0 && ix0 + spanW < W) {
      // Inside the volume: whole contiguous runs, no bounds tests.
      const base = (((n * D + iz0) * H + iy0) * W + ix0) * c;
      for (let q = 0; q < nRuns; q++)
        copyRun(src, base + runOffsets[q]!, out, dst + q * runLength, runLength);
    } else {
      walkField(plan, n, iz0, iy0, ix0, out, dst, src, false);
    }
  });
}

/** Adds rows [row0, row0 + rows) of a column matrix back into the NDHWC volume `dst` (the adjoint of im2col). */
export function col2imAdd(
  plan: ColPlan,
  col: Float32Array,
  row0: number,
  rows: number,
  dst: Float32Array,
): void {
  forEachRow(plan.g, row0, rows, (r, n, iz0, iy0, ix0) =>
    walkField(plan, n, iz0, iy0, ix0, col, r * plan.cols, dst, true),
  );
}

/** Row-major [rows, cols] → [cols, rows], blocked so both sides stay in cache. */
export function transpose2d(
  src: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array = new Float32Array(rows * cols),
): Float32Array {
  const B = 32;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(rows, r0 + B);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) {
        for (let q = c0; q < c1; q++) out[q * rows + r] = src[r * cols + q]!;
      }
    }
  }
  return out;
}

/** NDHWC → N, C, D·H·W (channel-major per sample), for {@link im2colT}. */
export function channelMajor(src: Float32Array, n: number, voxels: number, c: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < n; i++) {
    const block = voxels * c;
    out.set(transpose2d(src.subarray(i * block, (i + 1) * block), voxels, c), i * block);
  }
  return out;
}

/**
 * The transposed column matrix: out[j·rows + (r − row0)] = im2col[r][j], for rows [row0, row0 + rows),
 * read from the channel-major volume `xT` (see {@link channelMajor}). row0 and rows must be whole
 * output lines (multiples of OW): along a line the source is a strided run of one channel's row.
 * With it dW = colᵀ · dY has the big operand on the left, which is what wasm's matMul is fast at.
 */
export function im2colT(
  plan: ColPlan,
  xT: Float32Array,
  row0: number,
  rows: number,
  out: Float32Array,
): void {
  const { g, c: C, cols } = plan;
  const [D, H, W] = g.inShape;
  const [OD, OH, OW] = g.outShape;
  const [, kh, kw] = g.kernel;
  const [sd, sh, sw] = g.strides;
  const [dd, dh, dw] = g.dilations;
  const [pd, ph, pw] = g.padding;
  const lines = rows / OW;
  const line0 = row0 / OW;
  for (let j = 0; j < cols; j++) {
    const t = (j / C) | 0;
    const ci = j - t * C;
    const e = t % kw;
    const b = ((t - e) / kw) % kh;
    const a = (t - e - b * kw) / (kw * kh);
    const shift = e * dw - pw;
    // ow whose ix = ow·sw + shift lies inside [0, W)
    const lo = Math.min(OW, Math.max(0, Math.ceil(-shift / sw)));
    const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 - shift) / sw) + 1));
    let oh = line0 % OH;
    let od = ((line0 - oh) / OH) % OD;
    let n = (line0 - oh - od * OH) / (OH * OD);
    let dst = j * rows;
    for (let l = 0; l < lines; l++) {
      const iz = od * sd - pd + a * dd;
      const iy = oh * sh - ph + b * dh;
      if (iz < 0 || iz >= D || iy < 0 || iy >= H || hi === lo) {
        out.fill(0, dst, dst + OW);
      } else {
        let src = (((n * C + ci) * D + iz) * H + iy) * W + lo * sw + shift;
        for (let ow = 0; ow < lo; ow++) out[dst + ow] = 0;
        for (let ow = lo; ow < hi; ow++, src += sw) out[dst + ow] = xT[src]!;
        for (let ow = hi; ow < OW; ow++) out[dst + ow] = 0;
      }
      dst += OW;
      if (++oh === OH) {
        oh = 0;
        if (++od === OD) {
          od = 0;
          n++;
        }
      }
    }
  }
}
