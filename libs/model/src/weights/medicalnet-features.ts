import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@spottune/errors';
import { Rng } from '@spottune/random';
import { DEFAULT_WIDTHS } from '../architecture.ts';
import type { Widths } from '../architecture.ts';
import { globalAvgPool, stem } from '../layers.ts';
import type { LayerContext } from '../layers.ts';
import { defineNetwork } from '../network.ts';
import { ParameterStore } from '../parameter-store.ts';
import { initBackend } from '../ops/index.ts';
import type { BackendChoice } from '../ops/index.ts';
import { residualBlock } from '../resnet.ts';
import { corrected } from '../settings.ts';
import { depthOf, inferWidths } from './medicalnet-layout.ts';
import type { MedicalNetArch } from './medicalnet-layout.ts';
import { medicalNetSource } from './medicalnet-source.ts';
import type { TorchStateDict } from './torch-tensor.ts';

export interface MedicalNetFeaturesOptions {
  arch: MedicalNetArch;
  /** Read off the checkpoint when omitted. */
  widths?: Widths;
  /** One volume, D×H×W values in C order. */
  input: { data: Float32Array; shape: readonly [number, number, number] };
  /** Select a tfjs backend first (the CLI passes 'auto'); left as it is when omitted. */
  backend?: BackendChoice;
}

/**
 * MedicalNet's backbone in eval mode (BN running statistics): stem → layer1..4 with MedicalNet's own
 * topology (stages 3–4 dilated 2 and 4 in every block, stride 1; shortcut B = conv + BN) → global
 * average pool. Returns the layer4 feature vector, what PyTorch's `model.eval()` gives before conv_seg.
 * Uses the network's own builder (the `transfer` network is MedicalNet's topology).
 */
export async function medicalNetFeatures(
  stateDict: TorchStateDict,
  options: MedicalNetFeaturesOptions,
): Promise<Float32Array> {
  const { data, shape } = options.input;
  if (
    shape.length !== 3 ||
    shape.some((n) => !Number.isInteger(n) || n < 1) ||
    data.length !== shape[0] * shape[1] * shape[2]
  )
    throw new ValidationError(
      `input: expected a D×H×W volume, got shape [${shape.join(',')}] with ${data.length} values`,
    );
  if (options.backend !== undefined) await initBackend(options.backend);
  const widths = options.widths ?? inferWidths(stateDict) ?? DEFAULT_WIDTHS;
  const def = defineNetwork({
    network: 'transfer',
    depth: depthOf(options.arch),
    widths,
    inChannels: 1,
    faithful: corrected(),
  });
  // Every parameter is overwritten by the checkpoint except the head, which the features never use:
  // zero placeholders instead of §5.1's random draws (which take ~20 s for the full-size ResNet50).
  const placeholders = def.specs.map((spec) => ({ ...spec, init: 'running-mean' as const }));
  const store = new ParameterStore(placeholders, new Rng('medicalnet-features'));
  try {
    await medicalNetSource(stateDict).load(store, { def, faithful: corrected() });
    const ctx: LayerContext = { store, training: false, frozenBnBatchStats: false };
    const features = tf.tidy(() => {
      let h = stem(ctx, '', tf.tensor5d(data, [1, shape[0], shape[1], shape[2], 1]));
      for (const b of def.blocks) h = residualBlock(ctx, '', b, h, def.shortcutBn);
      return globalAvgPool(h);
    });
    const out = Float32Array.from(await features.data());
    features.dispose();
    return out;
  } finally {
    store.dispose();
  }
}
