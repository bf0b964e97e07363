/**
 * nibabel `set_qform(affine)`: split the 3×3 part into zooms (column norms), qfac (the sign that makes
 * the rotation proper) and the nearest orthogonal rotation, stored as a quaternion with w ≥ 0.
 */
export interface Qform {
  quatern: [number, number, number];
  qoffset: [number, number, number];
  qfac: 1 | -1;
  zooms: [number, number, number];
}

export function affineToQform(affine: number[][]): Qform {
  const m = [0, 1, 2].map((i) => [0, 1, 2].map((j) => affine[i]?.[j] ?? 0));
  const zooms = [0, 1, 2].map((j) => Math.hypot(m[0]?.[j] ?? 0, m[1]?.[j] ?? 0, m[2]?.[j] ?? 0)) as [
    number,
    number,
    number,
  ];
  const r = m.map((row) => row.map((v, j) => (zooms[j] === 0 ? 0 : v / (zooms[j] ?? 1))));
  const qfac: 1 | -1 = det3(r) > 0 ? 1 : -1;
  if (qfac === -1) for (const row of r) row[2] = -(row[2] ?? 0);
  const rot = nearestRotation(r);
  const q = matrixToQuaternion(rot);
  return {
    quatern: [q[1], q[2], q[3]],
    qoffset: [affine[0]?.[3] ?? 0, affine[1]?.[3] ?? 0, affine[2]?.[3] ?? 0],
    qfac,
    zooms,
  };
}

function det3(a: number[][]): number {
  const g = (i: number, j: number) => a[i]?.[j] ?? 0;
  return (
    g(0, 0) * (g(1, 1) * g(2, 2) - g(1, 2) * g(2, 1)) -
    g(0, 1) * (g(1, 0) * g(2, 2) - g(1, 2) * g(2, 0)) +
    g(0, 2) * (g(1, 0) * g(2, 1) - g(1, 1) * g(2, 0))
  );
}

/** Orthogonal polar factor U·Vᵀ (what nibabel gets from the SVD), by Newton's iteration R ← (R + R⁻ᵀ)/2. */
function nearestRotation(r: number[][]): number[][] {
  let cur = r.map((row) => [...row]);
  if (Math.abs(det3(cur)) < 1e-12) return cur;
  for (let it = 0; it < 50; it++) {
    const invT = inverseTranspose(cur);
    let delta = 0;
    const next = cur.map((row, i) =>
      row.map((v, j) => {
        const n = (v + (invT[i]?.[j] ?? 0)) / 2;
        delta = Math.max(delta, Math.abs(n - v));
        return n;
      }),
    );
    cur = next;
    if (delta < 1e-15) break;
  }
  return cur;
}

function inverseTranspose(a: number[][]): number[][] {
  const g = (i: number, j: number) => a[i]?.[j] ?? 0;
  const d = det3(a);
  // Cofactor matrix / det = (A⁻¹)ᵀ.
  const cof = (i: number, j: number) => {
    const r = [0, 1, 2].filter((k) => k !== i);
    const c = [0, 1, 2].filter((k) => k !== j);
    const [r0, r1] = [r[0] ?? 0, r[1] ?? 0];
    const [c0, c1] = [c[0] ?? 0, c[1] ?? 0];
    const minor = g(r0, c0) * g(r1, c1) - g(r0, c1) * g(r1, c0);
    return ((i + j) % 2 === 0 ? minor : -minor) / d;
  };
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => cof(i, j)));
}

/** Rotation matrix → unit quaternion (w, x, y, z) with w ≥ 0 (Shepperd's method). */
export function matrixToQuaternion(m: number[][]): [number, number, number, number] {
  const g = (i: number, j: number) => m[i]?.[j] ?? 0;
  const tr = g(0, 0) + g(1, 1) + g(2, 2);
  let q: [number, number, number, number];
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [s / 4, (g(2, 1) - g(1, 2)) / s, (g(0, 2) - g(2, 0)) / s, (g(1, 0) - g(0, 1)) / s];
  } else if (g(0, 0) > g(1, 1) && g(0, 0) > g(2, 2)) {
    const s = Math.sqrt(1 + g(0, 0) - g(1, 1) - g(2, 2)) * 2;
    q = [(g(2, 1) - g(1, 2)) / s, s / 4, (g(0, 1) + g(1, 0)) / s, (g(0, 2) + g(2, 0)) / s];
  } else if (g(1, 1) > g(2, 2)) {
    const s = Math.sqrt(1 + g(1, 1) - g(0, 0) - g(2, 2)) * 2;
    q = [(g(0, 2) - g(2, 0)) / s, (g(0, 1) + g(1, 0)) / s, s / 4, (g(1, 2) + g(2, 1)) / s];
  } else {
    const s = Math.sqrt(1 + g(2, 2) - g(0, 0) - g(1, 1)) * 2;
    q = [(g(1, 0) - g(0, 1)) / s, (g(0, 2) + g(2, 0)) / s, (g(1, 2) + g(2, 1)) / s, s / 4];
  }
  return q[0] < 0 ? [-q[0], -q[1], -q[2], -q[3]] : q;
}
