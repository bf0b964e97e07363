/**
 * The one seeded random generator of spottune: xoshiro128** (Blackman & Vigna), seeded through
 * SplitMix32 from a 32-bit seed. Every random choice (splits, augmentation, Gumbel noise, init,
 * shuffling) draws from an Rng derived from the experiment seed with {@link Rng.fork}, so the same seed
 * gives the same result and streams never interfere. The state is four uint32s, saved with the
 * trial's checkpoint so a resumed run continues the exact sequence.
 */
export class Rng {
  private readonly s = new Uint32Array(4);
  private spareNormal: number | undefined;

  /** A generator for `seed` (any integer; also a string, hashed). */
  constructor(seed: number | string) {
    let x = typeof seed === 'string' ? hashString(seed) : seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // SplitMix32 spreads a small seed over the whole state.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** Restore a generator from {@link Rng.state}. */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 && state.length !== 5) throw new RangeError('Rng state must have 4 or 5 numbers');
    const rng = new Rng(0);
    for (let i = 0; i < 4; i++) rng.s[i] = state[i]! >>> 0;
    rng.spareNormal = state.length === 5 && Number.isFinite(state[4]) ? state[4] : undefined;
    return rng;
  }

  /** The full state (JSON-safe), including a cached normal deviate if one is pending. */
  state(): number[] {
    const out = Array.from(this.s);
    if (this.spareNormal !== undefined) out.push(this.spareNormal);
    return out;
  }

  /**
   * An independent child stream named by `labels` (e.g. `rng.fork('augment', patientId, 'flip')`).
   * Depends only on this generator's *current state* and the labels, not on later draws.
   */
  fork(...labels: (string | number)[]): Rng {
    return new Rng(hashString(`${Array.from(this.s).join(',')}|${labels.join('|')}`));
  }

  /** Next uint32. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n). Unbiased (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000)
      throw new RangeError(`int(n) needs 0 < n <= 2^32, got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform integer in [lo, hi) (numpy's `integers(lo, hi)`). */
  integer(lo: number, hi: number): number {
    return lo + this.int(hi - lo);
  }

  /** Standard normal (Box–Muller, both deviates used). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Fill a Float32Array with uniform [0, 1) values (Gumbel noise, dropout masks). */
  fillUniform(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform();
    return out;
  }

  /** In-place Fisher–Yates shuffle; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** 32-bit FNV-1a over UTF-16 code units, finished with a murmur3 mix. Stable across platforms. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
