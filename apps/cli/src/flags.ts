import { ValidationError } from '@spottune/errors';
import type { Depth, NetworkKind } from '@spottune/model';

/** `count` positive integers from a flag's text split by `sep` (e.g. `--widths 16,32,64,128`, `--input 35x43x43`). */
export function positiveInts(text: string, count: number, flag: string, sep: RegExp): number[] {
  const parts = text.split(sep).map((p) => Number(p.trim()));
  if (parts.length !== count || parts.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new ValidationError(`--${flag}: expected ${count} positive integers, got "${text}"`);
  }
  return parts;
}

/** `--network`: spottune, resnet or transfer. */
export function networkFlag(text: string): NetworkKind {
  if (!['spottune', 'resnet', 'transfer'].includes(text))
    throw new ValidationError(`--network: expected spottune, resnet or transfer, got "${text}"`);
  return text as NetworkKind;
}

/** `--depth`: 10, 18, 34 or 50. */
export function depthFlag(text: string): Depth {
  const depth = Number(text);
  if (![10, 18, 34, 50].includes(depth))
    throw new ValidationError(`--depth: expected 10, 18, 34 or 50, got "${text}"`);
  return depth as Depth;
}
