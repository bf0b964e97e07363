import { DataError, ValidationError } from '@spottune/errors';
import type { MetricName } from '../metrics/binary-metrics.ts';
import { friedmanTest } from '../statistics/friedman-test.ts';
import type { FriedmanResult } from '../statistics/friedman-test.ts';
import { nemenyiTest } from '../statistics/nemenyi-test.ts';
import type { NemenyiResult } from '../statistics/nemenyi-test.ts';
import type { Ensemble, EnsembleLevel } from './ensemble-types.ts';

export interface BestOverallOptions {
  /** Metric to maximise (default 'auc'); ties broken by AP, then by name. */
  by?: MetricName;
  /** Levels eligible (default group and combination, as the paper's "best overall" row). */
  levels?: EnsembleLevel[];
}

/**
 * Each network's best ensemble (the paper's "best overall": SpotTune DSC+DTI, random Struct, transfer
 * DTI, chosen by test AUC). Selecting on the test set is what the paper did; it is optimistic.
 */
export function bestOverall(
  ensembles: readonly Ensemble[],
  options: BestOverallOptions = {},
): Record<string, Ensemble> {
  const by = options.by ?? 'auc';
  const levels = options.levels ?? ['group', 'combination'];
  const best: Record<string, Ensemble> = {};
  const score = (e: Ensemble): number => (Number.isFinite(e.metrics[by]) ? e.metrics[by] : -Infinity);
  const ap = (e: Ensemble): number => (Number.isFinite(e.metrics.ap) ? e.metrics.ap : -Infinity);
  for (const e of ensembles) {
    if (!levels.includes(e.level)) continue;
    const current = best[e.network];
    if (
      current === undefined ||
      score(e) > score(current) ||
      (score(e) === score(current) &&
        (ap(e) > ap(current) || (ap(e) === ap(current) && e.name < current.name)))
    )
      best[e.network] = e;
  }
  return best;
}

export type ComparisonScope =
  /** The ensemble of this name (and level, when names could clash) for every network. */
  | { name: string; level?: EnsembleLevel }
  /** Each network's {@link bestOverall} ensemble. */
  | { bestOverall: BestOverallOptions };

export interface CompareOptions {
  /** Networks to compare, in this column order (default: every network that has the scope, sorted). */
  networks?: string[];
  /**
   * The per-patient measurement: 'probability' (default; the most plausible reading of the paper, §9)
   * or 'absoluteError' = |p − label|, which ranks networks by how close each is to the truth.
   */
  measure?: 'probability' | 'absoluteError';
  /** Nemenyi post-hoc: only when Friedman p < alpha (default, as the paper), always, or never. */
  nemenyi?: 'ifSignificant' | 'always' | 'never';
  alpha?: number;
}

export interface NetworkComparison {
  /** The ensemble name compared, or 'best overall'. */
  scope: string;
  networks: string[];
  /** network → the ensemble name used for it. */
  ensembles: Record<string, string>;
  measure: 'probability' | 'absoluteError';
  /** Blocks: the patients present in every compared ensemble, sorted. */
  patients: string[];
  friedman: FriedmanResult;
  nemenyi?: NemenyiResult;
}

/**
 * Friedman test across networks for one ensemble scope, with the **patients as blocks** and each
 * network's ensemble measurement as the treatment values (n = 57 blocks makes the paper's smallest
 * p-values attainable, which metric-level blocks cannot; §9). Then, per `nemenyi`, the Nemenyi post-hoc
 * on the same matrix. Needs at least three networks (as scipy's friedmanchisquare).
 */
export function compareNetworks(
  ensembles: readonly Ensemble[],
  scope: ComparisonScope,
  options: CompareOptions = {},
): NetworkComparison {
  let chosen: Record<string, Ensemble>;
  let label: string;
  if ('bestOverall' in scope) {
    chosen = bestOverall(ensembles, scope.bestOverall);
    label = 'best overall';
  } else {
    chosen = {};
    for (const e of ensembles) {
      if (e.name !== scope.name || (scope.level !== undefined && e.level !== scope.level)) continue;
      if (chosen[e.network] !== undefined)
        throw new ValidationError(
          `compareNetworks: network '${e.network}' has several ensembles named '${scope.name}'; give the level`,
        );
      chosen[e.network] = e;
    }
    label = scope.name;
  }
  const networks = options.networks ?? Object.keys(chosen).sort();
  for (const n of networks)
    if (chosen[n] === undefined)
      throw new DataError(`compareNetworks: network '${n}' has no ensemble for '${label}'`);
  if (networks.length < 3)
    throw new ValidationError(
      `compareNetworks: '${label}' needs at least 3 networks for the Friedman test, got ${networks.length} (${networks.join(', ')})`,
    );
  const measure = options.measure ?? 'probability';
  const byPatient = networks.map((n) => new Map(chosen[n]!.predictions.map((p) => [p.patientId, p])));
  const patients = [...byPatient[0]!.keys()].filter((id) => byPatient.every((m) => m.has(id))).sort();
  if (patients.length === 0)
    throw new DataError(`compareNetworks: the '${label}' ensembles share no patient`);
  const matrix = patients.map((id) =>
    byPatient.map((m) => {
      const p = m.get(id)!;
      return measure === 'probability' ? p.probability : Math.abs(p.probability - p.label);
    }),
  );
  const alpha = options.alpha ?? 0.05;
  const friedman = friedmanTest(matrix);
  const mode = options.nemenyi ?? 'ifSignificant';
  const runNemenyi = mode === 'always' || (mode === 'ifSignificant' && friedman.pValue < alpha);
  return {
    scope: label,
    networks,
    ensembles: Object.fromEntries(networks.map((n) => [n, chosen[n]!.name])),
    measure,
    patients,
    friedman,
    ...(runNemenyi ? { nemenyi: nemenyiTest(matrix, { alpha }) } : {}),
  };
}
