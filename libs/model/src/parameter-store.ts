import * as tf from '@tensorflow/tfjs';
import { DataError, NotFoundError } from '@spottune/errors';
import type { Rng } from '@spottune/random';
import { sizeOf } from './architecture.ts';
import type { NamedSpec, NetworkDef } from './network.ts';
import type { FaithfulFlags } from './settings.ts';

/** One stored tensor: the variable and what it is. */
export interface StoreEntry {
  variable: tf.Variable;
  spec: NamedSpec;
}

export interface ParameterInfo {
  name: string;
  shape: number[];
  trainable: boolean;
  buffer: boolean;
  group: 'main' | 'agent';
}

/** What a {@link ParameterSource} reports after loading. */
export interface LoadReport {
  loaded: string[];
  skipped: string[];
}

/**
 * Pretrained weights (e.g. a MedicalNet checkpoint, read by libs/model/src/weights) that copy
 * themselves into a store. Names and layouts are those documented on {@link defineNetwork}; the
 * source decides the mapping (both SpotTune copies, Q14's skipped layer3.3–5, stem inflation).
 */
export interface ParameterSource {
  readonly label: string;
  load(
    store: ParameterStore,
    context: { def: NetworkDef; faithful: FaithfulFlags },
  ): Promise<LoadReport> | LoadReport;
}

let storeCounter = 0;

/**
 * Named parameters of one model: `name → tf.Variable` with trainable flags, names mirroring the
 * reference PyTorch modules (see network.ts). Values are drawn in JS from a seeded Rng (tfjs's own
 * random ops are not reproducibly seedable).
 */
export class ParameterStore {
  private readonly entries = new Map<string, StoreEntry>();
  private readonly id = ++storeCounter;

  constructor(specs: readonly NamedSpec[], rng: Rng) {
    for (const spec of specs) {
      const data = initialValues(spec, rng.fork('init', spec.name));
      // tfjs registers variables by name globally: make names unique per store.
      const variable = tf.tidy(() =>
        tf.variable(tf.tensor(data, spec.shape), spec.trainable, `s${this.id}/${spec.name}`),
      );
      this.entries.set(spec.name, { variable, spec });
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): tf.Variable {
    const e = this.entries.get(name);
    if (e === undefined) throw new NotFoundError(`parameter ${name} is not in the store`);
    return e.variable;
  }

  entry(name: string): StoreEntry {
    const e = this.entries.get(name);
    if (e === undefined) throw new NotFoundError(`parameter ${name} is not in the store`);
    return e;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  list(): ParameterInfo[] {
    return [...this.entries.values()].map(({ spec }) => ({
      name: spec.name,
      shape: [...spec.shape],
      trainable: spec.trainable,
      buffer: spec.buffer,
      group: spec.group,
    }));
  }

  /** Trainable variables of a group, in store order (the optimiser's order). */
  trainable(group: 'main' | 'agent'): StoreEntry[] {
    return [...this.entries.values()].filter((e) => e.spec.trainable && e.spec.group === group);
  }

  /** Replace a tensor's values; the shape must match exactly. */
  assign(name: string, data: Float32Array | tf.Tensor, shape?: readonly number[]): void {
    const { variable, spec } = this.entry(name);
    const given = data instanceof tf.Tensor ? data.shape : (shape ?? [data.length]);
    const ok =
      data instanceof tf.Tensor || shape !== undefined
        ? sameShape(given, spec.shape)
        : data.length === sizeOf(spec.shape);
    if (!ok)
      throw new DataError(
        `parameter ${name}: shape [${given.join(',')}] does not match [${spec.shape.join(',')}]`,
      );
    if (data instanceof tf.Tensor) variable.assign(data);
    else tf.tidy(() => variable.assign(tf.tensor(data, spec.shape)));
  }

  read(name: string): Float32Array {
    return this.get(name).dataSync() as Float32Array;
  }

  /** Copies of the named tensors' values (for checkpoints and best-model snapshots). */
  snapshot(names: readonly string[] = this.names()): Map<string, Float32Array> {
    return new Map(names.map((n) => [n, Float32Array.from(this.read(n))]));
  }

  restore(values: ReadonlyMap<string, Float32Array>): void {
    for (const [name, data] of values) this.assign(name, data);
  }

  dispose(): void {
    for (const { variable } of this.entries.values()) variable.dispose();
    this.entries.clear();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** §5.1 init: conv N(0, sqrt(2/n)), n = k³·C_out; BN γ = 1, β = 0; Linear U(±1/sqrt(fan_in)). */
export function initialValues(spec: Pick<NamedSpec, 'init' | 'shape' | 'fanIn'>, rng: Rng): Float32Array {
  const out = new Float32Array(sizeOf(spec.shape));
  switch (spec.init) {
    case 'conv': {
      const [k = 1, , , , cout = 1] = spec.shape;
      const sd = Math.sqrt(2 / (k * k * k * cout));
      for (let i = 0; i < out.length; i++) out[i] = rng.normal(0, sd);
      break;
    }
    case 'bn-weight':
    case 'running-var':
      out.fill(1);
      break;
    case 'bn-bias':
    case 'running-mean':
      break;
    case 'linear-weight':
    case 'linear-bias': {
      const bound = 1 / Math.sqrt(spec.fanIn ?? spec.shape[0]!);
      for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * bound;
      break;
    }
  }
  return out;
}

/** A store with every parameter of `def`, randomly initialised from `rng`. */
export function createParameterStore(def: NetworkDef, rng: Rng): ParameterStore {
  return new ParameterStore(def.specs, rng);
}
