import {
  backboneShapes,
  convOut,
  describeBlocks,
  sizeOf,
  type BackboneConfig,
  type Depth,
  type Shape3,
  type Widths,
} from './architecture.ts';
import { defineNetwork, type NetworkDef } from './network.ts';
import { corrected, type FaithfulFlags, type NetworkKind } from './settings.ts';

export interface SummaryOptions {
  network: NetworkKind;
  depth: Depth;
  /** Input volume D×H×W. */
  inputShape: Shape3;
  widths?: Widths;
  inChannels?: number;
  faithful?: FaithfulFlags;
  unfreezeBlocks?: number;
}

export interface ModelSummary {
  network: NetworkKind;
  depth: Depth;
  widths: Widths;
  inputShape: Shape3;
  inChannels: number;
  blocks: number;
  /**
   * As §5.1's table: feature maps as C×D×H×W; `output` and `agent` as batch × features for a batch of 1.
   */
  shapes: { point: string; shape: number[] }[];
  counts: {
    /** Parameters of the main module (stem, every block copy, head); BN running stats excluded. */
    totalParams: number;
    /** Trainable parameters of the main module. */
    trainableParams: number;
    /** Agent parameters (all trainable); 0 without an agent. */
    agentParams: number;
    trainableWithAgent: number;
    /** Parameters that exist but never act in the forward pass (Q13's `bn0` = `downsample.1`). */
    unusedParams: number;
    /** BN running mean/var elements of the main module (PyTorch adds one num_batches_tracked per BN). */
    bufferElements: number;
  };
  /** Conv multiply-accumulates per sample (output elements × C_in × k³), in units of 1e9. */
  gmac: { main: number; agent: number; total: number };
}

/** Per-stage shapes and parameter counts, from arithmetic only (instant at full size). */
export function summarizeModel(options: SummaryOptions): ModelSummary {
  const widths = options.widths ?? [64, 128, 256, 512];
  const inChannels = options.inChannels ?? 1;
  const def = defineNetwork({
    network: options.network,
    depth: options.depth,
    widths,
    inChannels,
    faithful: options.faithful ?? corrected(),
    unfreezeBlocks: options.unfreezeBlocks,
  });
  const sh = backboneShapes(def.main, options.inputShape);
  const fmt = (c: number, s: Shape3) => [c, ...s];
  const shapes = [
    { point: 'conv1', shape: fmt(widths[0], sh.conv1) },
    { point: 'maxpool', shape: fmt(widths[0], sh.maxpool) },
    ...sh.stages.map((s, i) => ({
      point: `stage${i + 1}`,
      shape: fmt(widths[i]! * (def.main.depth === 50 ? 4 : 1), s),
    })),
    { point: 'output', shape: [1, 1] },
  ];
  if (def.agent !== null) shapes.push({ point: 'agent', shape: [1, 2 * def.nBlocks] });

  let totalParams = 0;
  let trainableParams = 0;
  let agentParams = 0;
  let bufferElements = 0;
  for (const s of def.specs) {
    const n = sizeOf(s.shape);
    if (s.buffer) {
      if (s.group === 'main') bufferElements += n;
    } else if (s.group === 'agent') agentParams += n;
    else {
      totalParams += n;
      if (s.trainable) trainableParams += n;
    }
  }
  const mainMacs = backboneMacs(def.main, options.inputShape, def.copies.length);
  const agentMacs = def.agent === null ? 0 : backboneMacs(def.agent, options.inputShape, 1);
  return {
    network: options.network,
    depth: options.depth,
    widths,
    inputShape: options.inputShape,
    inChannels,
    blocks: def.nBlocks,
    shapes,
    counts: {
      totalParams,
      trainableParams,
      agentParams,
      trainableWithAgent: trainableParams + agentParams,
      unusedParams: unusedParams(def),
      bufferElements,
    },
    gmac: { main: mainMacs / 1e9, agent: agentMacs / 1e9, total: (mainMacs + agentMacs) / 1e9 },
  };
}

function unusedParams(def: NetworkDef): number {
  if (def.shortcutBn) return 0;
  let n = 0;
  for (const s of def.specs) {
    if (
      !s.buffer &&
      s.group === 'main' &&
      /downsample\.1\.(weight|bias)$/.test(s.name) &&
      def.main.depth === 50
    )
      n += sizeOf(s.shape);
  }
  return n;
}

/** Conv MACs of the stem + `copies` copies of every block for one sample. */
function backboneMacs(cfg: BackboneConfig, input: Shape3, copies: number): number {
  const conv1 = input.map((n) => convOut(n, 7, 2, 3)) as Shape3;
  const stem = sizeOf(conv1) * cfg.widths[0] * cfg.inChannels * 343;
  let grid = conv1.map((n) => convOut(n, 3, 2, 1)) as Shape3;
  let blocks = 0;
  for (const b of describeBlocks(cfg)) {
    const inVox = sizeOf(grid);
    grid = grid.map((n) => convOut(n, 3, b.stride, b.dilation, b.dilation)) as Shape3;
    const outVox = sizeOf(grid);
    if (b.kind === 'bottleneck') {
      blocks += inVox * b.planes * b.inChannels; // conv1 1×1×1 (stride sits in conv2)
      blocks += outVox * b.planes * b.planes * 27;
      blocks += outVox * b.outChannels * b.planes;
    } else {
      blocks += outVox * b.planes * b.inChannels * 27;
      blocks += outVox * b.planes * b.planes * 27;
    }
    if (b.hasDownsample) blocks += outVox * b.outChannels * b.inChannels;
  }
  return stem + copies * blocks;
}

/** Human-readable table of a summary (the CLI's non-JSON output). */
export function formatSummary(s: ModelSummary): string {
  const lines = [
    `network ${s.network} depth ${s.depth} widths ${s.widths.join(',')} input ${s.inChannels}×${s.inputShape.join('×')}`,
    ...s.shapes.map((p) => `  ${p.point.padEnd(8)} ${p.shape.join('×')}`),
    `  total params        ${s.counts.totalParams.toLocaleString('en-US')}`,
    `  trainable (main)    ${s.counts.trainableParams.toLocaleString('en-US')}`,
    `  agent params        ${s.counts.agentParams.toLocaleString('en-US')}`,
    `  trainable + agent   ${s.counts.trainableWithAgent.toLocaleString('en-US')}`,
    `  unused (Q13 bn0)    ${s.counts.unusedParams.toLocaleString('en-US')}`,
    `  BN buffer elements  ${s.counts.bufferElements.toLocaleString('en-US')}`,
    `  GMAC/sample         ${s.gmac.total.toFixed(2)} (main ${s.gmac.main.toFixed(2)}, agent ${s.gmac.agent.toFixed(2)})`,
  ];
  return lines.join('\n') + '\n';
}
