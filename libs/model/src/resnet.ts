import * as tf from '@tensorflow/tfjs';
import { blockName, type BlockDesc } from './architecture.ts';
import { batchNorm, conv, globalAvgPool, linear, stem, type LayerContext } from './layers.ts';
import type { NetworkDef } from './network.ts';

/**
 * One residual block (with its own shortcut and final ReLU), MedicalNet key names under `prefix`.
 * `shortcutBn` false skips the projection BN (Q13 faithful: the reference's unused `bn0`).
 */
export function residualBlock(
  ctx: LayerContext,
  prefix: string,
  b: BlockDesc,
  x: tf.Tensor5D,
  shortcutBn: boolean,
): tf.Tensor5D {
  const p = `${prefix}${blockName(b)}`;
  return tf.tidy((): tf.Tensor5D => {
    let out: tf.Tensor5D;
    if (b.kind === 'bottleneck') {
      out = tf.relu(batchNorm(ctx, `${p}.bn1`, conv(ctx, `${p}.conv1`, x)));
      const c2 = conv(ctx, `${p}.conv2`, out, {
        stride: b.stride,
        dilation: b.dilation,
        padding: b.dilation,
      });
      out = tf.relu(batchNorm(ctx, `${p}.bn2`, c2));
      out = batchNorm(ctx, `${p}.bn3`, conv(ctx, `${p}.conv3`, out));
    } else {
      const c1 = conv(ctx, `${p}.conv1`, x, { stride: b.stride, dilation: b.dilation, padding: b.dilation });
      out = tf.relu(batchNorm(ctx, `${p}.bn1`, c1));
      const c2 = conv(ctx, `${p}.conv2`, out, { dilation: b.conv2Dilation, padding: b.conv2Dilation });
      out = batchNorm(ctx, `${p}.bn2`, c2);
    }
    let residual: tf.Tensor5D = x;
    if (b.hasDownsample) {
      residual = conv(ctx, `${p}.downsample.0`, x, { stride: b.stride });
      // BasicBlocks (agent, ResNet10–34) always apply their shortcut BN, in the reference too.
      if (shortcutBn || b.kind === 'basic') residual = batchNorm(ctx, `${p}.downsample.1`, residual);
    }
    return tf.relu(tf.add(out, residual)) as tf.Tensor5D;
  });
}

export interface MainForwardArgs {
  /** Per-sample routing [B, nBlocks] ∈ {0,1} (1 → fine-tuned copy); SpotTune only. */
  policy?: tf.Tensor2D;
}

/** The main network: stem → blocks (SpotTune: mixed copies) → GAP → classify. Returns logits [B]. */
export function mainForward(
  ctx: LayerContext,
  def: NetworkDef,
  x: tf.Tensor5D,
  args: MainForwardArgs = {},
): tf.Tensor1D {
  return tf.tidy(() => {
    let h = stem(ctx, '', x);
    def.blocks.forEach((b, t) => {
      if (def.copies.length === 1) {
        h = residualBlock(ctx, def.copies[0]!, b, h, def.shortcutBn);
        return;
      }
      if (args.policy === undefined) throw new Error('SpotTune forward needs a policy');
      const f1 = residualBlock(ctx, 'blocks.', b, h, def.shortcutBn);
      const f2 = residualBlock(ctx, 'parallel_blocks.', b, h, def.shortcutBn);
      const m = tf.reshape(tf.slice(args.policy, [0, t], [-1, 1]), [-1, 1, 1, 1, 1]);
      // x = f1·(1 − m) + f2·m (both copies computed, Q17).
      h = tf.add(tf.mul(f1, tf.sub(1, m)), tf.mul(f2, m));
    });
    return tf.reshape(linear(ctx, 'classify', globalAvgPool(h)), [-1]) as tf.Tensor1D;
  });
}

/** The ResNet10 agent: logits [B, 2·nBlocks] (pairs = (freeze, fine-tune) per block). */
export function agentForward(ctx: LayerContext, def: NetworkDef, x: tf.Tensor5D): tf.Tensor2D {
  return tf.tidy(() => {
    let h = stem(ctx, 'agent.', x);
    for (const b of def.agentBlocks) h = residualBlock(ctx, 'agent.', b, h, true);
    return linear(ctx, 'agent.fc', globalAvgPool(h));
  });
}
