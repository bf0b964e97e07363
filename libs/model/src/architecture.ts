/**
 * Symbolic description of the 3-D ResNets (MedicalNet topology and the SpotTune reference's variant):
 * which residual blocks exist, their channels, strides and dilations, and every parameter's name and
 * shape. Nothing here allocates a tensor, so parameter counts and shapes of the full-size network are
 * instant (see summary.ts); the forward pass (resnet.ts) walks the same descriptions.
 */

export type Depth = 10 | 18 | 34 | 50;
export type Widths = readonly [number, number, number, number];

export const DEFAULT_WIDTHS: Widths = [64, 128, 256, 512];
/** Stage strides and dilations of MedicalNet and of the SpotTune reference (§5.1). */
export const STAGE_STRIDES = [1, 2, 1, 1] as const;
export const STAGE_DILATIONS = [1, 1, 2, 4] as const;

export interface BackboneConfig {
  depth: Depth;
  widths: Widths;
  inChannels: number;
  /**
   * true: MedicalNet — every block of stages 3–4 dilated, BasicBlock dilates both convs (what the
   * pretrained weights expect). false: the reference (Q15/Q19 faithful) — only the first block of a
   * stage gets the stride and dilation, and a BasicBlock dilates only conv1.
   */
  dilateEveryBlock: boolean;
}

export interface BlockDesc {
  /** 1-based stage (MedicalNet `layer{stage}`). */
  stage: number;
  /** Index inside the stage. */
  index: number;
  kind: 'basic' | 'bottleneck';
  inChannels: number;
  planes: number;
  outChannels: number;
  stride: number;
  /** Dilation (and padding) of the 3×3×3 conv that carries the stride (conv1 basic, conv2 bottleneck). */
  dilation: number;
  /** Dilation of a BasicBlock's conv2 (1 in the reference, = dilation in MedicalNet). */
  conv2Dilation: number;
  /** Projection shortcut `downsample.0` (1×1×1 conv, stride) + `downsample.1` (BN). */
  hasDownsample: boolean;
}

export interface ParamSpec {
  name: string;
  shape: number[];
  /** How §5.1 initialises it; `buffer` kinds are BN running statistics (never trained). */
  init: 'conv' | 'bn-weight' | 'bn-bias' | 'running-mean' | 'running-var' | 'linear-weight' | 'linear-bias';
  /** Buffers (running mean/var) are state, not parameters: excluded from parameter counts. */
  buffer: boolean;
  /** Linear layers: the fan-in that bounds the U(±1/sqrt(fan_in)) init of weight and bias. */
  fanIn?: number;
}

const LAYERS: Record<Depth, readonly number[]> = {
  10: [1, 1, 1, 1],
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
  50: [3, 4, 6, 3],
};

export function blockKind(depth: Depth): 'basic' | 'bottleneck' {
  return depth === 50 ? 'bottleneck' : 'basic';
}

export function expansionOf(depth: Depth): number {
  return depth === 50 ? 4 : 1;
}

export function layersOf(depth: Depth): readonly number[] {
  return LAYERS[depth];
}

/** Number of residual blocks (16 for ResNet50, 4 for the ResNet10 agent). */
export function blockCount(depth: Depth): number {
  return LAYERS[depth].reduce((a, b) => a + b, 0);
}

/** Feature width after the last stage (2048 for ResNet50 at default widths, 512 for ResNet10). */
export function featureWidth(cfg: BackboneConfig): number {
  return cfg.widths[3] * expansionOf(cfg.depth);
}

/** Blocks in forward order (policy index t = position in this list). */
export function describeBlocks(cfg: BackboneConfig): BlockDesc[] {
  const kind = blockKind(cfg.depth);
  const expansion = expansionOf(cfg.depth);
  const out: BlockDesc[] = [];
  let inChannels = cfg.widths[0];
  LAYERS[cfg.depth].forEach((n, s) => {
    const planes = cfg.widths[s]!;
    for (let j = 0; j < n; j++) {
      const first = j === 0;
      const stride = first ? STAGE_STRIDES[s]! : 1;
      const dilation = first || cfg.dilateEveryBlock ? STAGE_DILATIONS[s]! : 1;
      const outChannels = planes * expansion;
      out.push({
        stage: s + 1,
        index: j,
        kind,
        inChannels,
        planes,
        outChannels,
        stride,
        dilation,
        conv2Dilation: kind === 'basic' && cfg.dilateEveryBlock ? dilation : 1,
        // MedicalNet's rule; for first-block-only dilation it selects the same blocks as the reference's.
        hasDownsample: stride !== 1 || inChannels !== outChannels,
      });
      inChannels = outChannels;
    }
  });
  return out;
}

export function blockName(b: Pick<BlockDesc, 'stage' | 'index'>): string {
  return `layer${b.stage}.${b.index}`;
}

function conv(name: string, cout: number, cin: number, k: number): ParamSpec {
  return { name: `${name}.weight`, shape: [k, k, k, cin, cout], init: 'conv', buffer: false };
}

export function bnSpecs(name: string, c: number): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [c], init: 'bn-weight', buffer: false },
    { name: `${name}.bias`, shape: [c], init: 'bn-bias', buffer: false },
    { name: `${name}.running_mean`, shape: [c], init: 'running-mean', buffer: true },
    { name: `${name}.running_var`, shape: [c], init: 'running-var', buffer: true },
  ];
}

export function linearSpecs(name: string, fanIn: number, fanOut: number): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [fanIn, fanOut], init: 'linear-weight', buffer: false, fanIn },
    { name: `${name}.bias`, shape: [fanOut], init: 'linear-bias', buffer: false, fanIn },
  ];
}

/** Stem: conv1 7³ (in → widths[0]) + bn1. */
export function stemSpecs(prefix: string, cfg: BackboneConfig): ParamSpec[] {
  return [
    conv(`${prefix}conv1`, cfg.widths[0], cfg.inChannels, 7),
    ...bnSpecs(`${prefix}bn1`, cfg.widths[0]),
  ];
}

/** One residual block's parameters under `${prefix}layer{L}.{j}.` (MedicalNet key names). */
export function blockSpecs(prefix: string, b: BlockDesc): ParamSpec[] {
  const p = `${prefix}${blockName(b)}`;
  const specs: ParamSpec[] = [];
  if (b.kind === 'bottleneck') {
    specs.push(conv(`${p}.conv1`, b.planes, b.inChannels, 1), ...bnSpecs(`${p}.bn1`, b.planes));
    specs.push(conv(`${p}.conv2`, b.planes, b.planes, 3), ...bnSpecs(`${p}.bn2`, b.planes));
    specs.push(conv(`${p}.conv3`, b.outChannels, b.planes, 1), ...bnSpecs(`${p}.bn3`, b.outChannels));
  } else {
    specs.push(conv(`${p}.conv1`, b.planes, b.inChannels, 3), ...bnSpecs(`${p}.bn1`, b.planes));
    specs.push(conv(`${p}.conv2`, b.planes, b.planes, 3), ...bnSpecs(`${p}.bn2`, b.planes));
  }
  if (b.hasDownsample) {
    specs.push(conv(`${p}.downsample.0`, b.outChannels, b.inChannels, 1));
    specs.push(...bnSpecs(`${p}.downsample.1`, b.outChannels));
  }
  return specs;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** PyTorch's conv/pool output length. */
export function convOut(n: number, k: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((n + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

export type Shape3 = [number, number, number];

/** Spatial shapes after the stem conv, the max-pool and each stage. */
export function backboneShapes(
  cfg: BackboneConfig,
  input: Shape3,
): { conv1: Shape3; maxpool: Shape3; stages: Shape3[] } {
  const conv1 = input.map((n) => convOut(n, 7, 2, 3)) as Shape3;
  const maxpool = conv1.map((n) => convOut(n, 3, 2, 1)) as Shape3;
  const stages: Shape3[] = [];
  let cur = maxpool;
  for (const b of describeBlocks(cfg)) {
    // The strided 3×3×3 conv pads by its dilation, so only the stride changes the grid.
    cur = cur.map((n) => convOut(n, 3, b.stride, b.dilation, b.dilation)) as Shape3;
    if (stages.length < b.stage) stages.push(cur);
    else stages[b.stage - 1] = cur;
  }
  return { conv1, maxpool, stages };
}
