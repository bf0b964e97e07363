import * as tf from '@tensorflow/tfjs';
import { CancelledError } from '@spottune/errors';
import type { Rng } from '@spottune/random';
import { bceWithLogitsValue, sigmoid } from './loss.ts';
import { toBatch, type Model } from './model.ts';
import type { TrainSample } from './train-types.ts';

export interface PredictOptions {
  batchSize: number;
  /** Gumbel samples per patient (1 for plain ResNets). */
  samples: number;
  rng: Rng;
  temperature: number;
  /** Agent BNs in train mode (Q33 faithful); the main network is always in eval mode here. */
  agentTraining?: boolean;
  signal?: AbortSignal;
}

export interface PredictOutput {
  /** Mean probability per sample. */
  probs: number[];
  /** Mean BCE over samples and Gumbel draws. */
  loss: number;
  /** SpotTune: per patient, fraction of draws routed through each fine-tuned block. */
  routing?: number[][];
}

/**
 * Eval-mode predictions, averaging sigmoid probabilities over `samples` Gumbel draws (the stochastic
 * policy is sampled at evaluation too, as in the reference). Batches keep data order (the agent's
 * train-mode BN in Q33 depends on batch composition, as the reference's DataLoader did).
 */
export async function predictSamples(
  model: Model,
  data: readonly TrainSample[],
  o: PredictOptions,
): Promise<PredictOutput> {
  const n = data.length;
  const probSum = new Float64Array(n);
  let lossSum = 0;
  const nBlocks = model.def.nBlocks;
  const routeSum = model.isSpotTune ? new Float64Array(n * nBlocks) : null;
  const samples = model.isSpotTune ? o.samples : 1;
  for (let s = 0; s < samples; s++) {
    for (let start = 0; start < n; start += o.batchSize) {
      if (o.signal?.aborted === true)
        throw new CancelledError('prediction cancelled', { cause: o.signal.reason });
      const batch = data.slice(start, start + o.batchSize);
      const x = toBatch(batch);
      const out = tf.tidy(() => {
        const r = model.forward(x, {
          training: false,
          agentTraining: o.agentTraining ?? false,
          rng: o.rng,
          temperature: o.temperature,
        });
        return { logits: r.logits, policy: r.policy };
      });
      x.dispose();
      const logits = (await out.logits.data()) as Float32Array;
      const policy = out.policy === undefined ? null : ((await out.policy.data()) as Float32Array);
      out.logits.dispose();
      out.policy?.dispose();
      batch.forEach((sample, i) => {
        const z = logits[i]!;
        probSum[start + i]! += sigmoid(z);
        lossSum += bceWithLogitsValue(z, sample.label);
        if (routeSum !== null && policy !== null)
          for (let t = 0; t < nBlocks; t++) routeSum[(start + i) * nBlocks + t]! += policy[i * nBlocks + t]!;
      });
      await yieldToEventLoop();
    }
  }
  const probs = Array.from(probSum, (p) => p / samples);
  const routing =
    routeSum === null
      ? undefined
      : data.map((_, i) => Array.from(routeSum.subarray(i * nBlocks, (i + 1) * nBlocks), (v) => v / samples));
  return { probs, loss: n === 0 ? NaN : lossSum / (n * samples), routing };
}

/** Let timers and I/O (heartbeats, cancellation) run between batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
