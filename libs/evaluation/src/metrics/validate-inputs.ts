import { ValidationError } from '@spottune/errors';

/**
 * Checks the (labels, probabilities) pair every metric takes: same non-zero length, labels exactly 0 or
 * 1, scores finite. Metrics are pure functions over `ArrayLike<number>` so typed arrays from the model
 * and plain arrays from the database work alike.
 */
export function validateBinaryInputs(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  what = 'metric',
): void {
  if (labels.length !== scores.length)
    throw new ValidationError(
      `${what}: labels (${labels.length}) and probabilities (${scores.length}) differ in length`,
    );
  if (labels.length === 0) throw new ValidationError(`${what}: no predictions`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1)
      throw new ValidationError(`${what}: label[${i}] is ${String(y)}, expected 0 or 1`);
    const s = scores[i]!;
    if (!Number.isFinite(s))
      throw new ValidationError(`${what}: probability[${i}] is ${String(s)}, not finite`);
  }
}

export function validateThreshold(threshold: number): void {
  if (!Number.isFinite(threshold)) throw new ValidationError(`threshold must be finite, got ${threshold}`);
}
