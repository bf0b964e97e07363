import { DataError } from '@spottune/errors';
import type { AdamState } from './adam.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.ts';
import type { PlateauState } from './plateau.ts';
import type { SelectorState } from './selection.ts';
import type { EpochReport } from './train-types.ts';

/** Everything a resumed run needs to continue exactly where an epoch ended. */
export interface TrainState {
  /** Identifies the network; a checkpoint of another network is refused. */
  fingerprint: string;
  epoch: number;
  params: Map<string, Float32Array>;
  adam: { main: AdamState; agent: AdamState };
  plateau: { main: PlateauState; agent: PlateauState };
  selector: SelectorState;
  rng: { shuffle: number[]; gumbel: number[] };
  reports: EpochReport[];
  /** Values of the best epoch's mutable tensors (trainable + BN running stats); null without one. */
  best: Map<string, Float32Array> | null;
}

interface Meta {
  kind: 'spottune-train-state';
  fingerprint: string;
  epoch: number;
  adam: { main: Omit<AdamState, 'm' | 'v'>; agent: Omit<AdamState, 'm' | 'v'> };
  plateau: TrainState['plateau'];
  selector: SelectorState;
  rng: TrainState['rng'];
  reports: EpochReport[];
  best: 'none' | 'current' | 'stored';
}

export function encodeTrainState(s: TrainState): Uint8Array {
  const tensors = new Map<string, Float32Array>();
  for (const [name, data] of s.params) tensors.set(`param/${name}`, data);
  for (const group of ['main', 'agent'] as const) {
    const a = s.adam[group];
    a.names.forEach((name, i) => {
      tensors.set(`adam.${group}.m/${name}`, a.m[i]!);
      tensors.set(`adam.${group}.v/${name}`, a.v[i]!);
    });
  }
  // When the best epoch is this one, its values are the current parameters: store them once.
  const best: Meta['best'] =
    s.best === null ? 'none' : s.selector.bestEpoch === s.epoch ? 'current' : 'stored';
  if (best === 'stored') for (const [name, data] of s.best!) tensors.set(`best/${name}`, data);
  const strip = (a: AdamState) => ({ lr: a.lr, step: a.step, names: a.names });
  const meta: Meta = {
    kind: 'spottune-train-state',
    fingerprint: s.fingerprint,
    epoch: s.epoch,
    adam: { main: strip(s.adam.main), agent: strip(s.adam.agent) },
    plateau: s.plateau,
    selector: s.selector,
    rng: s.rng,
    reports: s.reports,
    best,
  };
  return encodeCheckpoint(meta, tensors);
}

/** Decode a checkpoint; `bestNames` lists the mutable tensors (to rebuild a 'current' best). */
export function decodeTrainState(bytes: Uint8Array, bestNames: readonly string[]): TrainState {
  const { meta: raw, tensors } = decodeCheckpoint(bytes);
  const meta = raw as Meta;
  if (meta?.kind !== 'spottune-train-state') throw new DataError('checkpoint: not a training state');
  const take = (prefix: string) => {
    const out = new Map<string, Float32Array>();
    for (const [k, v] of tensors) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
    return out;
  };
  const params = take('param/');
  const adam = (group: 'main' | 'agent'): AdamState => {
    const m = take(`adam.${group}.m/`);
    const v = take(`adam.${group}.v/`);
    const a = meta.adam[group];
    const get = (map: Map<string, Float32Array>, n: string) => {
      const t = map.get(n);
      if (t === undefined) throw new DataError(`checkpoint: Adam moment of ${n} is missing`);
      return t;
    };
    return { ...a, m: a.names.map((n) => get(m, n)), v: a.names.map((n) => get(v, n)) };
  };
  let best: Map<string, Float32Array> | null = null;
  if (meta.best === 'stored') best = take('best/');
  else if (meta.best === 'current') {
    best = new Map();
    for (const n of bestNames) {
      const t = params.get(n);
      if (t === undefined) throw new DataError(`checkpoint: parameter ${n} is missing`);
      best.set(n, Float32Array.from(t));
    }
  }
  return {
    fingerprint: meta.fingerprint,
    epoch: meta.epoch,
    params,
    adam: { main: adam('main'), agent: adam('agent') },
    plateau: meta.plateau,
    selector: meta.selector,
    rng: meta.rng,
    reports: meta.reports,
    best,
  };
}
