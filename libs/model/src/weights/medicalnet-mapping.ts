import { DataError, ValidationError } from '@spottune/errors';
import { DEFAULT_WIDTHS } from '../architecture.ts';
import type { Widths } from '../architecture.ts';
import { expectedMedicalNetTensors, inferWidths, stripModulePrefix } from './medicalnet-layout.ts';
import type { ExpectedTensor, MedicalNetArch } from './medicalnet-layout.ts';
import type { TorchStateDict, TorchTensor } from './torch-tensor.ts';

/** A tensor in our (tfjs) layout: conv [kd,kh,kw,in,out], vectors as they are. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export interface MapMedicalNetOptions {
  arch: MedicalNetArch;
  /** Stage widths; read off the checkpoint when omitted (MedicalNet's own are 64,128,256,512). */
  widths?: Widths;
  /** Which of our networks the names are for (§5.4): plain ResNet, SpotTune's two copies, transfer. */
  target: 'resnet' | 'spottune' | 'transfer';
  /** Input channels of our network; the 1-channel stem is inflated by repeat / n (§5.7). */
  inChannels?: number;
  /**
   * q14: SpotTune's partial load (layer3.3–5 left at random init in both copies). q13 only changes
   * the forward (the projection BN exists but is not applied), so `downsample.1.*` is mapped either way.
   */
  faithful?: { q14?: boolean; q13?: boolean };
}

/** Names of the blocks the reference never loads (Q14: `range(3)` over layer3's six blocks). */
export function isQ14SkippedBlock(name: string): boolean {
  return /^layer3\.[3-5]\./.test(name);
}

const LIST_LIMIT = 12;

function listed(items: string[]): string {
  const head = items.slice(0, LIST_LIMIT).join('; ');
  return items.length > LIST_LIMIT ? `${head}; … (${items.length} in all)` : head;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function toFloat32(t: TorchTensor, name: string): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof Float64Array) return Float32Array.from(t.data);
  throw new DataError(`MedicalNet tensor '${name}' has dtype ${t.dtype}, expected a float type`);
}

/** PyTorch conv [out,in,kd,kh,kw] → tfjs [kd,kh,kw,in,out]. */
function transposeConv(data: Float32Array, torchShape: readonly number[]): Float32Array {
  const [cout, cin, kd, kh, kw] = torchShape as [number, number, number, number, number];
  const k = kd * kh * kw;
  const out = new Float32Array(data.length);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++) {
      const src = (o * cin + i) * k;
      for (let s = 0; s < k; s++) out[(s * cin + i) * cout + o] = data[src + s] as number;
    }
  return out;
}

/** §5.7: a 1-channel stem kernel repeated over n input channels, divided by n (tfjs layout). */
function inflateStem(data: Float32Array, shape: readonly number[], n: number): NamedTensor {
  const [kd, kh, kw, , cout] = shape as [number, number, number, number, number];
  const out = new Float32Array(kd * kh * kw * n * cout);
  for (let s = 0; s < kd * kh * kw; s++)
    for (let c = 0; c < n; c++)
      for (let o = 0; o < cout; o++) out[(s * n + c) * cout + o] = (data[s * cout + o] as number) / n;
  return { shape: [kd, kh, kw, n, cout], data: out };
}

/**
 * Checks a MedicalNet state dict against the architecture's expected tensors (strict: every tensor
 * present, every shape right, nothing unexpected besides `num_batches_tracked` and `conv_seg.*`).
 * Problems → DataError listing what is missing, mis-shaped or unexpected. Returns the tensors by
 * expected name (no `module.` prefix) and the expected list.
 */
export function checkMedicalNetStateDict(
  stateDict: TorchStateDict,
  options: Pick<MapMedicalNetOptions, 'arch' | 'widths' | 'inChannels'>,
): { expected: ExpectedTensor[]; byName: Map<string, TorchTensor>; fileChannels: number } {
  const inChannels = options.inChannels ?? 1;
  if (!Number.isInteger(inChannels) || inChannels < 1)
    throw new ValidationError(`inChannels must be a positive integer, got ${inChannels}`);
  const widths = options.widths ?? inferWidths(stateDict) ?? DEFAULT_WIDTHS;
  const stemChannels =
    stateDict.get('module.conv1.weight')?.shape[1] ?? stateDict.get('conv1.weight')?.shape[1];
  // The checkpoint's stem is 1-channel (inflated when mapped) or already has our channel count.
  const fileChannels = stemChannels === inChannels ? inChannels : 1;
  const expected = expectedMedicalNetTensors(options.arch, widths, fileChannels);
  const byName = new Map<string, TorchTensor>();
  const unexpected: string[] = [];
  for (const [key, tensor] of stateDict) {
    const name = stripModulePrefix(key);
    if (name.endsWith('num_batches_tracked') || name.startsWith('conv_seg.')) continue;
    byName.set(name, tensor);
  }
  const known = new Set(expected.map((e) => e.name));
  for (const name of byName.keys()) if (!known.has(name)) unexpected.push(name);
  const missing: string[] = [];
  const mismatched: string[] = [];
  for (const e of expected) {
    const t = byName.get(e.name);
    if (t === undefined) missing.push(e.name);
    else if (!sameShape(t.shape, e.torchShape))
      mismatched.push(`${e.name}: expected [${e.torchShape.join(',')}], got [${t.shape.join(',')}]`);
  }
  if (missing.length + mismatched.length + unexpected.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.length}: ${listed(missing)}` : '',
      mismatched.length > 0 ? `mis-shaped ${mismatched.length}: ${listed(mismatched)}` : '',
      unexpected.length > 0 ? `unexpected ${unexpected.length}: ${listed(unexpected)}` : '',
    ].filter((p) => p !== '');
    throw new DataError(
      `checkpoint does not match MedicalNet ${options.arch} with widths ${widths.join(',')}: ${parts.join(' | ')}`,
      { details: { arch: options.arch, widths: [...widths], missing, mismatched, unexpected } },
    );
  }
  return { expected, byName, fileChannels };
}

/**
 * Checks the state dict ({@link checkMedicalNetStateDict}) and returns our named tensors: `module.`
 * stripped, conv kernels transposed, SpotTune's two copies, Q14's partial load, stem inflation.
 */
export function mapMedicalNetStateDict(
  stateDict: TorchStateDict,
  options: MapMedicalNetOptions,
): Map<string, NamedTensor> {
  const { expected, byName, fileChannels } = checkMedicalNetStateDict(stateDict, options);
  return toOurNames(expected, byName, options, options.inChannels ?? 1, fileChannels);
}

function toOurNames(
  expected: ExpectedTensor[],
  byName: Map<string, TorchTensor>,
  options: MapMedicalNetOptions,
  inChannels: number,
  fileChannels: number,
): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const e of expected) {
    const data = toFloat32(byName.get(e.name) as TorchTensor, e.name);
    let tensor: NamedTensor =
      e.kind === 'conv'
        ? {
            shape: [
              e.torchShape[2],
              e.torchShape[3],
              e.torchShape[4],
              e.torchShape[1],
              e.torchShape[0],
            ] as number[],
            data: transposeConv(data, e.torchShape),
          }
        : { shape: [...e.torchShape], data: Float32Array.from(data) };
    if (e.name === 'conv1.weight' && inChannels !== fileChannels)
      tensor = inflateStem(tensor.data, tensor.shape, inChannels);
    const isBlock = e.name.startsWith('layer');
    if (options.target !== 'spottune' || !isBlock) {
      out.set(e.name, tensor);
      continue;
    }
    if (options.faithful?.q14 === true && isQ14SkippedBlock(e.name)) continue;
    // Both copies start from the same pretrained values but must not share buffers.
    out.set(`blocks.${e.name}`, tensor);
    out.set(`parallel_blocks.${e.name}`, { shape: [...tensor.shape], data: Float32Array.from(tensor.data) });
  }
  return out;
}
