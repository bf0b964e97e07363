import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (test/weights/ is two levels down). */
export const repoRoot = join(fileURLToPath(import.meta.url), '..', '..', '..');

/** A file of ../shared/data/medicalnet; a missing file fails the test (never skipped). */
export function medicalNetFile(name: string): string {
  const path = join(repoRoot, '..', 'shared', 'data', 'medicalnet', name);
  if (!existsSync(path)) throw new Error(`shared test data missing: ${path}`);
  return path;
}

/** Builds protocol-2 pickle bytes from opcodes and operands (for hand-made checkpoints). */
export class PickleWriter {
  private readonly out: number[] = [0x80, 0x02];
  op(code: number): this {
    this.out.push(code);
    return this;
  }
  global(module: string, name: string): this {
    this.out.push(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    this.out.push(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b);
    return this;
  }
  int(n: number): this {
    if (n >= 0 && n < 256)
      this.out.push(0x4b, n); // BININT1
    else this.out.push(0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff); // BININT
    return this;
  }
  mark(): this {
    return this.op(0x28);
  }
  bytes(): Uint8Array {
    return Uint8Array.from([...this.out, 0x2e]);
  }
}

/** 1e-4 relative; the absolute floor covers the JSON's 7 decimals and ReLU's exact zeros. */
export function assertFeaturesClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  label: string,
): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    assert.ok(Math.abs(a - e) <= 1e-4 * Math.abs(e) + 1e-6, `${label}[${i}]: ${a} vs PyTorch ${e}`);
  }
}
