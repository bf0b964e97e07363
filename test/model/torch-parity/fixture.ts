import * as tf from '@tensorflow/tfjs';
import { Rng } from '@spottune/random';
import { Model } from '../../../libs/model/src/model.ts';
import { corrected, faithful } from '../../../libs/model/src/settings.ts';

/**
 * The tiny SpotTune of the PyTorch parity check: ResNet50 topology at widths 4,8,16,32 (features 128),
 * ResNet10 agent, input 2×12×16×16×1, BN affine parameters and running statistics randomised so
 * that every BN matters. Deterministic: the test and dump-weights.ts build the same one.
 */
export const PARITY_INPUT: [number, number, number, number, number] = [2, 12, 16, 16, 1];

export function parityModel(mode: 'faithful' | 'corrected'): Model {
  const flags = mode === 'faithful' ? faithful() : corrected();
  const model = new Model(
    { network: 'spottune', depth: 50, widths: [4, 8, 16, 32], inChannels: 1, faithful: flags },
    new Rng(123),
  );
  const rng = new Rng(456);
  for (const p of model.store.list()) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const draw = (f: () => number) => Float32Array.from({ length: n }, f);
    if (p.name.endsWith('running_mean'))
      model.store.assign(
        p.name,
        draw(() => rng.normal(0, 0.2)),
      );
    else if (p.name.endsWith('running_var'))
      model.store.assign(
        p.name,
        draw(() => 0.5 + rng.uniform()),
      );
    else if (/bn\d|downsample\.1/.test(p.name) && p.name.endsWith('.weight'))
      model.store.assign(
        p.name,
        draw(() => 0.8 + 0.4 * rng.uniform()),
      );
    else if (/bn\d|downsample\.1/.test(p.name) && p.name.endsWith('.bias'))
      model.store.assign(
        p.name,
        draw(() => rng.normal(0, 0.1)),
      );
  }
  return model;
}

export function parityInput(): tf.Tensor5D {
  const rng = new Rng(789);
  const n = PARITY_INPUT.reduce((a, b) => a * b, 1);
  return tf.tensor5d(
    Float32Array.from({ length: n }, () => rng.normal()),
    PARITY_INPUT,
  );
}

/** Policy [2, 16]: sample 0 alternates copies, sample 1 uses the fine-tuned copy on the last 8 blocks. */
export function parityPolicy(): tf.Tensor2D {
  return tf.tensor2d([
    Array.from({ length: 16 }, (_, t) => t % 2),
    Array.from({ length: 16 }, (_, t) => (t >= 8 ? 1 : 0)),
  ]);
}

/** The training-step check: Gumbel noise seed, temperature and labels shared with reference.py. */
export const PARITY_STEP = { gumbelSeed: 321, temperature: 1, labels: [1, 0] };

/** Gradients compared with PyTorch: name and how many leading elements (tfjs layout). */
export const PARITY_GRADS: [string, number][] = [
  ['classify.weight', 4],
  ['classify.bias', 1],
  ['parallel_blocks.layer1.0.conv2.weight', 4],
  ['parallel_blocks.layer3.1.bn2.weight', 4],
  ['parallel_blocks.layer4.2.conv3.weight', 4],
  ['agent.fc.bias', 6],
  ['agent.layer2.0.conv1.weight', 4],
];
