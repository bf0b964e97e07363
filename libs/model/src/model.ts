import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@spottune/random';
import { samplePolicy } from './gumbel.ts';
import type { LayerContext } from './layers.ts';
import { defineNetwork, type NetworkDef, type NetworkOptions } from './network.ts';
import { ParameterStore } from './parameter-store.ts';
import { agentForward, mainForward } from './resnet.ts';

export interface ForwardOptions {
  /** Train mode of the main network (batch-stat BNs, running-stat updates). */
  training: boolean;
  /** Train mode of the agent; defaults to `training`. */
  agentTraining?: boolean;
  /** Frozen BNs use batch statistics in train mode (Q16 faithful). */
  frozenBnBatchStats?: boolean;
  /** Gumbel noise source (SpotTune). */
  rng?: Rng;
  /** Gumbel-softmax temperature τ. */
  temperature?: number;
  /** A fixed policy [B, nBlocks] instead of sampling one (tests, inspection). */
  policy?: tf.Tensor2D;
}

export interface ForwardResult {
  /** Logits [B]. */
  logits: tf.Tensor1D;
  /** Routing [B, nBlocks] (SpotTune). */
  policy?: tf.Tensor2D;
}

/** A network (SpotTune with agent, or a plain ResNet) with its parameters. */
export class Model {
  readonly def: NetworkDef;
  readonly store: ParameterStore;

  constructor(options: NetworkOptions, rng: Rng) {
    this.def = defineNetwork(options);
    this.store = new ParameterStore(this.def.specs, rng);
  }

  get isSpotTune(): boolean {
    return this.def.agent !== null;
  }

  /**
   * Forward pass, NDHWC input. Call inside a gradient function or tf.tidy; the returned tensors belong to
   * the caller. BN running statistics are updated as a side effect in train mode.
   */
  forward(x: tf.Tensor5D, o: ForwardOptions): ForwardResult {
    const frozenBnBatchStats = o.frozenBnBatchStats ?? false;
    const main: LayerContext = { store: this.store, training: o.training, frozenBnBatchStats };
    if (!this.isSpotTune) return { logits: mainForward(main, this.def, x) };
    let policy = o.policy;
    if (policy === undefined) {
      if (o.rng === undefined) throw new Error('SpotTune forward needs an rng for Gumbel sampling');
      const agent: LayerContext = {
        store: this.store,
        training: o.agentTraining ?? o.training,
        frozenBnBatchStats,
      };
      const logits = agentForward(agent, this.def, x);
      policy = samplePolicy(logits, o.rng, o.temperature ?? 1);
      logits.dispose();
    }
    return { logits: mainForward(main, this.def, x, { policy }), policy };
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** A volume of the training data: single channel [D,H,W] or channel-first [C,D,H,W] values. */
export interface VolumeSample {
  data: Float32Array;
  shape: [number, number, number];
  channels?: number;
}

/** Stack samples into an NDHWC batch tensor (channel-first data transposed to channels-last). */
export function toBatch(samples: readonly VolumeSample[]): tf.Tensor5D {
  const first = samples[0];
  if (first === undefined) throw new Error('toBatch: empty batch');
  const [d, h, w] = first.shape;
  const c = first.channels ?? 1;
  const vox = d * h * w;
  const out = new Float32Array(samples.length * vox * c);
  samples.forEach((s, i) => {
    if (c === 1) out.set(s.data, i * vox);
    else {
      const base = i * vox * c;
      for (let ch = 0; ch < c; ch++)
        for (let v = 0; v < vox; v++) out[base + v * c + ch] = s.data[ch * vox + v]!;
    }
  });
  return tf.tensor5d(out, [samples.length, d, h, w, c]);
}
