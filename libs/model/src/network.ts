import {
  blockCount,
  blockSpecs,
  describeBlocks,
  featureWidth,
  linearSpecs,
  stemSpecs,
  type BackboneConfig,
  type BlockDesc,
  type Depth,
  type ParamSpec,
  type Widths,
} from './architecture.ts';
import type { FaithfulFlags, NetworkKind } from './settings.ts';

/**
 * A whole model as data: the main backbone (one copy, or SpotTune's frozen `blocks.` and fine-tuned
 * `parallel_blocks.` copies), the optional ResNet10 agent, the head, and which parameters train.
 *
 * Parameter names (the contract with the MedicalNet loader), tfjs layouts (conv [kd,kh,kw,in,out],
 * linear [in,out]):
 * - stem: `conv1.weight`, `bn1.{weight,bias,running_mean,running_var}` (shared, frozen in SpotTune);
 * - plain ResNet (`resnet`, `transfer`): `layer{L}.{j}.{conv1,bn1,conv2,bn2[,conv3,bn3]}.*`, projection
 *   shortcut `layer{L}.{j}.downsample.0.weight` + `layer{L}.{j}.downsample.1.*`;
 * - SpotTune: the same block names prefixed `blocks.` (frozen) and `parallel_blocks.` (fine-tuned);
 * - agent: `agent.conv1.weight`, `agent.bn1.*`, `agent.layer{L}.0.*`, `agent.fc.{weight,bias}`;
 * - head: `classify.{weight,bias}`.
 */
export interface NetworkOptions {
  network: NetworkKind;
  depth: Depth;
  widths: Widths;
  inChannels: number;
  faithful: FaithfulFlags;
  unfreezeBlocks?: number;
}

export interface NamedSpec extends ParamSpec {
  trainable: boolean;
  group: 'main' | 'agent';
}

export interface NetworkDef {
  options: NetworkOptions;
  main: BackboneConfig;
  blocks: BlockDesc[];
  /** Block-copy prefixes: SpotTune ['blocks.', 'parallel_blocks.'], plain ['']. */
  copies: string[];
  /** Whether a bottleneck's projection shortcut applies its BN (false = Q13 faithful). */
  shortcutBn: boolean;
  agent: BackboneConfig | null;
  agentBlocks: BlockDesc[];
  /** Residual blocks of the main network = policy length. */
  nBlocks: number;
  specs: NamedSpec[];
}

export function defineNetwork(options: NetworkOptions): NetworkDef {
  const { network, faithful } = options;
  // The transfer baseline is MedicalNet's own ResNet (Q32): MedicalNet topology whatever the flags.
  const medicalNet = network === 'transfer';
  const main: BackboneConfig = {
    depth: options.depth,
    widths: options.widths,
    inChannels: options.inChannels,
    dilateEveryBlock: medicalNet || !faithful.q15,
  };
  const blocks = describeBlocks(main);
  const nBlocks = blockCount(options.depth);
  const copies = network === 'spottune' ? ['blocks.', 'parallel_blocks.'] : [''];
  const unfreeze = Math.min(options.unfreezeBlocks ?? 0, nBlocks);
  const specs: NamedSpec[] = [];
  const add = (list: ParamSpec[], trainable: boolean, group: 'main' | 'agent' = 'main') => {
    for (const s of list) specs.push({ ...s, trainable: trainable && !s.buffer, group });
  };
  add(stemSpecs('', main), network === 'resnet');
  for (const copy of copies) {
    blocks.forEach((b, t) => {
      const trainable =
        network === 'resnet' ||
        (network === 'spottune' && copy === 'parallel_blocks.') ||
        (network === 'transfer' && t >= nBlocks - unfreeze);
      add(blockSpecs(copy, b), trainable);
    });
  }
  add(linearSpecs('classify', featureWidth(main), 1), true);

  let agent: BackboneConfig | null = null;
  let agentBlocks: BlockDesc[] = [];
  if (network === 'spottune') {
    agent = {
      depth: 10,
      widths: options.widths,
      inChannels: options.inChannels,
      dilateEveryBlock: !faithful.q15,
    };
    agentBlocks = describeBlocks(agent);
    add(stemSpecs('agent.', agent), true, 'agent');
    for (const b of agentBlocks) add(blockSpecs('agent.', b), true, 'agent');
    add(linearSpecs('agent.fc', featureWidth(agent), 2 * nBlocks), true, 'agent');
  }
  return {
    options,
    main,
    blocks,
    copies,
    shortcutBn: medicalNet || !faithful.q13,
    agent,
    agentBlocks,
    nBlocks,
    specs,
  };
}
