import { ValidationError } from '@spottune/errors';
import { Rng } from '@spottune/random';
import { binaryMetrics, METRIC_NAMES } from '../metrics/binary-metrics.ts';
import type { MetricName } from '../metrics/binary-metrics.ts';
import { validateBinaryInputs } from '../metrics/validate-inputs.ts';
import { WeightedMetrics } from './weighted-metrics.ts';

export type MetricFn = (labels: ArrayLike<number>, scores: ArrayLike<number>) => number;

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  samples?: number;
  /** Two-sided level: the interval is the [alpha/2, 1 − alpha/2] percentile range (default 0.05). */
  alpha?: number;
  /** Seed, or an Rng already forked for this use. Required: every random draw is reproducible. */
  seed: number | string | Rng;
  /** Threshold for SEN/SPE/ACC/M (default 0.5, strict >). */
  threshold?: number;
}

export interface ConfidenceInterval {
  /** The metric on the original sample (not the bootstrap mean). */
  estimate: number;
  low: number;
  high: number;
  /** Resamples whose metric was finite (the interval is taken over these). */
  valid: number;
}

/**
 * Percentile bootstrap over patients. Resampling is **stratified by label**: each resample draws the
 * positives with replacement from the positives and the negatives from the negatives, so every
 * resample keeps the original class counts and AUC/SEN/SPE are always defined (an unstratified
 * resample of 24 positives in 57 could, rarely, be single-class). Percentiles interpolate linearly
 * between order statistics (numpy's default `percentile`). Resamples giving a non-finite metric are
 * dropped and counted out of `valid`.
 */
export function bootstrapCi(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  metric: MetricName | MetricFn,
  options: BootstrapOptions,
): ConfidenceInterval {
  const alpha = options.alpha ?? 0.05;
  if (typeof metric !== 'function') {
    if (!METRIC_NAMES.includes(metric))
      throw new ValidationError(`bootstrap: unknown metric '${String(metric)}'`);
    return bootstrapMetrics(labels, scores, options)[metric];
  }
  const values: number[] = [];
  const estimate = metric(labels, scores);
  forEachResample(labels, scores, options, (indices) => {
    const y = new Uint8Array(indices.length);
    const s = new Float64Array(indices.length);
    indices.forEach((i, k) => {
      y[k] = labels[i]!;
      s[k] = scores[i]!;
    });
    values.push(metric(y, s));
  });
  return percentileInterval(estimate, values, alpha);
}

/**
 * CIs for every metric of {@link binaryMetrics} from one shared set of resamples (cheaper than one
 * bootstrap per metric, and the intervals are then jointly consistent).
 */
export function bootstrapMetrics(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: BootstrapOptions,
): Record<MetricName, ConfidenceInterval> {
  const threshold = options.threshold ?? 0.5;
  const estimate = binaryMetrics(labels, scores, threshold);
  const values = Object.fromEntries(METRIC_NAMES.map((name) => [name, [] as number[]])) as Record<
    MetricName,
    number[]
  >;
  const weighted = new WeightedMetrics(labels, scores, threshold);
  const weights = new Float64Array(labels.length);
  forEachResample(labels, scores, options, (indices) => {
    weights.fill(0);
    for (const i of indices) weights[i]!++;
    const m = weighted.evaluate(weights);
    for (const name of METRIC_NAMES) values[name].push(m[name]);
  });
  const alpha = options.alpha ?? 0.05;
  return Object.fromEntries(
    METRIC_NAMES.map((name) => [name, percentileInterval(estimate[name], values[name], alpha)]),
  ) as Record<MetricName, ConfidenceInterval>;
}

function forEachResample(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: BootstrapOptions,
  /** Receives the drawn original indices: positives first, then negatives. */
  visit: (indices: Int32Array) => void,
): void {
  validateBinaryInputs(labels, scores, 'bootstrap');
  const samples = options.samples ?? 2000;
  const alpha = options.alpha ?? 0.05;
  if (!Number.isInteger(samples) || samples < 1)
    throw new ValidationError(`bootstrap: samples must be a positive integer, got ${samples}`);
  if (!(alpha > 0 && alpha < 1))
    throw new ValidationError(`bootstrap: alpha must lie in (0, 1), got ${alpha}`);
  const rng = options.seed instanceof Rng ? options.seed : new Rng(options.seed);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? pos : neg).push(i);
  const indices = new Int32Array(labels.length);
  for (let b = 0; b < samples; b++) {
    for (let i = 0; i < pos.length; i++) indices[i] = pos[rng.int(pos.length)]!;
    for (let i = 0; i < neg.length; i++) indices[pos.length + i] = neg[rng.int(neg.length)]!;
    visit(indices);
  }
}

/** numpy `percentile(values, q)` with linear interpolation; NaN for an empty list. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

function percentileInterval(estimate: number, values: number[], alpha: number): ConfidenceInterval {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    estimate,
    low: percentile(finite, alpha / 2),
    high: percentile(finite, 1 - alpha / 2),
    valid: finite.length,
  };
}
