import { ValidationError } from '@spottune/errors';
import { blockSpecs, describeBlocks, stemSpecs } from '../architecture.ts';
import type { BackboneConfig, Depth, Widths } from '../architecture.ts';
import type { TorchStateDict } from './torch-tensor.ts';

/** MedicalNet architectures we can load (MedicalNet also has 101/152/200, not used here). */
export type MedicalNetArch = 'resnet10' | 'resnet18' | 'resnet34' | 'resnet50';

export const MEDICALNET_ARCHS: readonly MedicalNetArch[] = ['resnet10', 'resnet18', 'resnet34', 'resnet50'];

export function depthOf(arch: MedicalNetArch): Depth {
  return Number(arch.slice('resnet'.length)) as Depth;
}

export function parseArch(value: string): MedicalNetArch {
  if ((MEDICALNET_ARCHS as readonly string[]).includes(value)) return value as MedicalNetArch;
  throw new ValidationError(`arch: expected one of ${MEDICALNET_ARCHS.join(', ')}, got '${value}'`, {
    details: { field: 'arch' },
  });
}

/** Parses `--widths a,b,c,d` (four positive integers). */
export function parseWidths(value: string): Widths {
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((w) => !Number.isInteger(w) || w < 1))
    throw new ValidationError(`widths: expected four positive integers like 64,128,256,512, got '${value}'`, {
      details: { field: 'widths' },
    });
  return parts as unknown as Widths;
}

/** One tensor MedicalNet's state dict must hold, in PyTorch's layout. */
export interface ExpectedTensor {
  /** Name without the `module.` prefix, e.g. `layer1.0.downsample.0.weight`. */
  name: string;
  torchShape: number[];
  kind: 'conv' | 'vector';
}

/**
 * The tensors of a MedicalNet backbone (stem + layer1..4, shortcut B; no conv_seg), derived from the
 * same block descriptions the network is built from, so the loader and the network cannot disagree.
 */
export function expectedMedicalNetTensors(
  arch: MedicalNetArch,
  widths: Widths,
  inChannels = 1,
): ExpectedTensor[] {
  const cfg: BackboneConfig = { depth: depthOf(arch), widths, inChannels, dilateEveryBlock: true };
  const specs = [...stemSpecs('', cfg), ...describeBlocks(cfg).flatMap((b) => blockSpecs('', b))];
  return specs.map((s) => {
    if (s.shape.length === 5) {
      const [kd, kh, kw, cin, cout] = s.shape as [number, number, number, number, number];
      return { name: s.name, torchShape: [cout, cin, kd, kh, kw], kind: 'conv' };
    }
    return { name: s.name, torchShape: [...s.shape], kind: 'vector' };
  });
}

/** Drops DataParallel's `module.` prefix. */
export function stripModulePrefix(name: string): string {
  return name.startsWith('module.') ? name.slice('module.'.length) : name;
}

/**
 * Widths read off a checkpoint (output channels of each stage's first conv1), for when the caller
 * does not give them. Every tensor is still checked against the resulting expected list.
 */
export function inferWidths(stateDict: TorchStateDict): Widths | undefined {
  const byName = new Map([...stateDict].map(([k, v]) => [stripModulePrefix(k), v]));
  const widths: number[] = [];
  for (let stage = 1; stage <= 4; stage++) {
    const w = byName.get(`layer${stage}.0.conv1.weight`);
    if (w === undefined || w.shape.length !== 5) return undefined;
    widths.push(w.shape[0] as number);
  }
  return widths as unknown as Widths;
}
