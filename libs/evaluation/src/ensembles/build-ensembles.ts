import { DataError, ValidationError } from '@spottune/errors';
import { Rng } from '@spottune/random';
import { bootstrapMetrics } from '../bootstrap/bootstrap-ci.ts';
import { binaryMetrics } from '../metrics/binary-metrics.ts';
import { prCurve, rocCurve } from '../metrics/curves.ts';
import type {
  Ensemble,
  EnsembleLevel,
  EnsembleMetrics,
  EnsembleOptions,
  TrialPredictions,
} from './ensemble-types.ts';

/** A per-patient vector over the common patients (in their sorted order). */
interface Vector {
  probability: Float64Array;
  samples: Float64Array;
}

interface FoldEnsemble extends Vector {
  modality: string;
  trialIds: string[];
  missing: string[];
}

/**
 * The ensembles of reference-pipeline §8, per network: level 'fold' (one per derivative: the mean over
 * its folds), 'group' (the flat mean over a group's derivatives) and 'combination' (a union of groups,
 * flat over derivatives by default, see {@link EnsembleOptions.weighting}). Every ensemble is scored on
 * the same common test patients (the fix of Q11; the reference scored single DTI/Struct groups on
 * their full test sets). Missing trials are tolerated: a fold ensemble averages the folds present, a
 * group the derivatives present; what was absent is listed in `missing`. An ensemble with no member
 * at all is not produced. Output order: per network (sorted), fold ensembles (sorted by derivative),
 * then groups and combinations in the order given.
 */
export function buildEnsembles(input: readonly TrialPredictions[], options: EnsembleOptions): Ensemble[] {
  const combinations = options.combinations.map((c) => parseCombination(c, options.groups));
  checkDuplicates(input);
  const { patients, labels } = commonPatients(input, options.commonPatients);
  const threshold = options.threshold ?? 0.5;
  const bootstrap =
    options.bootstrap === false ? false : { samples: 2000, alpha: 0.05, seed: 42, ...options.bootstrap };
  const root = bootstrap === false ? undefined : new Rng(bootstrap.seed);
  const index = new Map(patients.map((p, i) => [p, i]));

  const finish = (
    network: string,
    level: EnsembleLevel,
    name: string,
    members: string[],
    missing: string[],
    v: Vector,
  ): Ensemble => {
    const probs = Array.from(v.probability);
    let metrics: EnsembleMetrics = binaryMetrics(labels, probs, threshold);
    if (bootstrap !== false && root !== undefined) {
      const ci = bootstrapMetrics(labels, probs, {
        samples: bootstrap.samples,
        alpha: bootstrap.alpha,
        threshold,
        seed: root.fork('bootstrap', network, level, name),
      });
      metrics = { ...metrics, ci };
    }
    return {
      network,
      level,
      name,
      members,
      missing,
      predictions: patients.map((patientId, i) => ({
        patientId,
        label: labels[i]!,
        probability: v.probability[i]!,
        samples: v.samples[i]!,
      })),
      metrics,
      curves: { roc: rocCurve(labels, probs), pr: prCurve(labels, probs) },
    };
  };

  const out: Ensemble[] = [];
  for (const network of [...new Set(input.map((t) => t.network))].sort()) {
    const trials = input.filter((t) => t.network === network);
    const planned = (options.expected ?? []).filter((e) => e.network === network);
    const folds = new Map<string, FoldEnsemble>();
    for (const modality of [...new Set(trials.map((t) => t.modality))].sort()) {
      const own = trials.filter((t) => t.modality === modality).sort((a, b) => a.fold - b.fold);
      const present = new Set(own.map((t) => t.fold));
      const missing = planned
        .filter((e) => e.modality === modality && !present.has(e.fold))
        .map((e) => `${modality}/fold${e.fold}`)
        .sort();
      const vectors = own.map((t) => trialVector(t, index));
      const fe: FoldEnsemble = { modality, trialIds: own.map((t) => t.trialId), missing, ...mean(vectors) };
      folds.set(modality, fe);
      out.push(finish(network, 'fold', modality, fe.trialIds, missing, fe));
    }
    const plannedModalities = new Set(planned.map((e) => e.modality));
    const grouped = (level: EnsembleLevel, name: string, parts: string[]): void => {
      const derivatives = [...new Set(parts.flatMap((g) => options.groups[g]!))];
      const members = derivatives.filter((d) => folds.has(d));
      if (members.length === 0) return;
      const missing = [
        ...derivatives.filter((d) => !folds.has(d) && (planned.length === 0 || plannedModalities.has(d))),
        ...members.flatMap((d) => folds.get(d)!.missing),
      ];
      // mean() sums the samples, so a mean of group means still carries every member's samples.
      const v =
        options.weighting === 'per-group' && parts.length > 1
          ? mean(
              parts
                .map((g) => options.groups[g]!.filter((d) => folds.has(d)).map((d) => folds.get(d)!))
                .filter((vs) => vs.length > 0)
                .map((vs) => mean(vs)),
            )
          : mean(members.map((d) => folds.get(d)!));
      out.push(finish(network, level, name, members, missing, v));
    };
    for (const group of Object.keys(options.groups)) grouped('group', group, [group]);
    for (const parts of combinations) grouped('combination', parts.join('+'), parts);
  }
  return out;
}

function parseCombination(combination: string, groups: Record<string, string[]>): string[] {
  const parts = combination.split('+').map((p) => p.trim());
  for (const p of parts)
    if (!Object.hasOwn(groups, p))
      throw new ValidationError(
        `buildEnsembles: combination '${combination}' names unknown group '${p}' (groups: ${Object.keys(groups).join(', ')})`,
      );
  return parts;
}

function checkDuplicates(input: readonly TrialPredictions[]): void {
  const seen = new Map<string, string>();
  for (const t of input) {
    const key = `${t.network}|${t.modality}|${t.fold}`;
    const other = seen.get(key);
    if (other !== undefined)
      throw new ValidationError(
        `buildEnsembles: trials '${other}' and '${t.trialId}' are both ${t.network} ${t.modality} fold ${t.fold}`,
      );
    seen.set(key, t.trialId);
  }
}

/** The common patients (sorted) and their labels, checking labels agree across trials. */
function commonPatients(
  input: readonly TrialPredictions[],
  explicit: string[] | undefined,
): { patients: string[]; labels: number[] } {
  if (input.length === 0) throw new ValidationError('buildEnsembles: no trial predictions given');
  const label = new Map<string, number>();
  let common: Set<string> | undefined;
  for (const t of input) {
    const ids = new Set<string>();
    for (const p of t.predictions) {
      if (ids.has(p.patientId))
        throw new DataError(`buildEnsembles: trial '${t.trialId}' predicts patient '${p.patientId}' twice`);
      ids.add(p.patientId);
      if (p.label !== 0 && p.label !== 1)
        throw new DataError(
          `buildEnsembles: trial '${t.trialId}' patient '${p.patientId}' has label ${p.label}`,
        );
      if (!Number.isFinite(p.probability))
        throw new DataError(
          `buildEnsembles: trial '${t.trialId}' patient '${p.patientId}' has probability ${p.probability}`,
        );
      const known = label.get(p.patientId);
      if (known !== undefined && known !== p.label)
        throw new DataError(
          `buildEnsembles: patient '${p.patientId}' has label ${known} in one trial and ${p.label} in '${t.trialId}'`,
        );
      label.set(p.patientId, p.label);
    }
    common = common === undefined ? ids : new Set([...common].filter((id) => ids.has(id)));
    if (explicit !== undefined)
      for (const id of explicit)
        if (!ids.has(id))
          throw new DataError(
            `buildEnsembles: trial '${t.trialId}' has no prediction for common patient '${id}'`,
          );
  }
  const patients = [...new Set(explicit ?? common ?? [])].sort();
  if (patients.length === 0) throw new DataError('buildEnsembles: the trials share no test patient');
  return { patients, labels: patients.map((p) => label.get(p)!) };
}

function trialVector(t: TrialPredictions, index: Map<string, number>): Vector {
  const probability = new Float64Array(index.size);
  const samples = new Float64Array(index.size);
  for (const p of t.predictions) {
    const i = index.get(p.patientId);
    if (i === undefined) continue; // not a common patient
    probability[i] = p.probability;
    samples[i] = p.samples;
  }
  return { probability, samples };
}

/** Per-patient mean of the probabilities; samples summed. */
function mean(vectors: readonly Vector[]): Vector {
  const n = vectors[0]!.probability.length;
  const probability = new Float64Array(n);
  const samples = new Float64Array(n);
  for (const v of vectors)
    for (let i = 0; i < n; i++) {
      probability[i]! += v.probability[i]!;
      samples[i]! += v.samples[i]!;
    }
  for (let i = 0; i < n; i++) probability[i]! /= vectors.length;
  return { probability, samples };
}
