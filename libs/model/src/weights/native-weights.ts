import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { DataError, NotFoundError, coerceError } from '@spottune/errors';
import { DEFAULT_WIDTHS } from '../architecture.ts';
import type { Widths } from '../architecture.ts';
import { checkMedicalNetStateDict } from './medicalnet-mapping.ts';
import type { MedicalNetArch } from './medicalnet-layout.ts';
import { MEDICALNET_ARCHS, inferWidths, stripModulePrefix } from './medicalnet-layout.ts';
import { readTorchCheckpoint } from './torch-checkpoint.ts';
import type { TorchStateDict } from './torch-tensor.ts';

/**
 * The native weights format `spottune weights import` writes: a directory with
 * - `weights.bin`: every tensor's float32 values, little-endian, concatenated in manifest order;
 * - `manifest.json`: `{ format: 'spottune-weights', version: 1, layout: 'pytorch', dtype: 'float32',
 *   byteOrder: 'little', file, arch, widths, source: { file, sha256 }, tensors: [{ name, shape,
 *   offset, sha256 }] }` — `offset` in bytes, `sha256` of each tensor's bytes, names without
 *   `module.` and without `num_batches_tracked`, shapes and layouts as PyTorch saved them.
 * Loading it needs no pickle parsing; every tensor's checksum is verified.
 */
export const MANIFEST_FILE = 'manifest.json';
export const WEIGHTS_FILE = 'weights.bin';

const manifestSchema = z.object({
  format: z.literal('spottune-weights'),
  version: z.literal(1),
  layout: z.literal('pytorch'),
  dtype: z.literal('float32'),
  byteOrder: z.literal('little'),
  file: z.string().min(1),
  arch: z.enum(MEDICALNET_ARCHS as [MedicalNetArch, ...MedicalNetArch[]]),
  widths: z.array(z.number().int().positive()).length(4),
  source: z.object({ file: z.string(), sha256: z.string() }),
  tensors: z.array(
    z.object({
      name: z.string().min(1),
      shape: z.array(z.number().int().nonnegative()),
      offset: z.number().int().nonnegative(),
      sha256: z.string().length(64),
    }),
  ),
});

export type WeightsManifest = z.infer<typeof manifestSchema>;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: Float32Array): Uint8Array {
  if (hostLittleEndian) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] as number, true);
  return bytes;
}

export interface ImportWeightsOptions {
  arch: MedicalNetArch;
  widths?: Widths;
  outDir: string;
}

/**
 * Converts a MedicalNet `.pth` into the native format after checking it against the architecture
 * (strict, as {@link checkMedicalNetStateDict}). Returns the manifest written.
 */
export async function importMedicalNetWeights(
  file: string,
  options: ImportWeightsOptions,
): Promise<WeightsManifest> {
  const bytes = await readBytes(file);
  const stateDict = await readTorchCheckpoint(bytes, { source: file });
  const widths = options.widths ?? inferWidths(stateDict) ?? DEFAULT_WIDTHS;
  checkMedicalNetStateDict(stateDict, { arch: options.arch, widths });
  const chunks: Uint8Array[] = [];
  const tensors: WeightsManifest['tensors'] = [];
  let offset = 0;
  for (const [key, tensor] of stateDict) {
    const name = stripModulePrefix(key);
    if (name.endsWith('num_batches_tracked') || name.startsWith('conv_seg.')) continue;
    const data =
      tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data as Float64Array);
    const chunk = littleEndianBytes(data);
    tensors.push({ name, shape: [...tensor.shape], offset, sha256: sha256(chunk) });
    chunks.push(chunk);
    offset += chunk.length;
  }
  const manifest: WeightsManifest = {
    format: 'spottune-weights',
    version: 1,
    layout: 'pytorch',
    dtype: 'float32',
    byteOrder: 'little',
    file: WEIGHTS_FILE,
    arch: options.arch,
    widths: [...widths],
    source: { file: basename(file), sha256: sha256(bytes) },
    tensors,
  };
  await mkdir(options.outDir, { recursive: true });
  // The manifest is written last (and renamed into place): a directory with one is complete.
  await writeFile(join(options.outDir, WEIGHTS_FILE), Buffer.concat(chunks));
  const tmp = join(options.outDir, `${MANIFEST_FILE}.tmp`);
  await writeFile(tmp, `${JSON.stringify(manifest, null, 1)}\n`);
  await rename(tmp, join(options.outDir, MANIFEST_FILE));
  return manifest;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const err = coerceError(e);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`${path}: no such file`, { cause: err });
    throw err;
  }
}

/** Whether a weights path is a native directory (else a .pth file); NotFoundError when absent. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (e) {
    const err = coerceError(e);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`${path}: no such file or directory`, { cause: err });
    throw err;
  }
}

/** Reads and validates a native weights directory's manifest. */
export async function readWeightsManifest(dir: string): Promise<WeightsManifest> {
  const path = join(dir, MANIFEST_FILE);
  const text = new TextDecoder().decode(await readBytes(path));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${path}: not valid JSON`, { cause: coerceError(e) });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success)
    throw new DataError(`${path}: not a spottune weights manifest: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * Loads weights from a `.pth` checkpoint or a native directory, as a state dict in PyTorch names and
 * layouts (num_batches_tracked dropped from native directories); map it with mapMedicalNetStateDict.
 */
export async function loadWeights(pathOrDir: string): Promise<TorchStateDict> {
  if (!(await isDirectory(pathOrDir)))
    return readTorchCheckpoint(await readBytes(pathOrDir), { source: pathOrDir });
  const manifest = await readWeightsManifest(pathOrDir);
  const binPath = join(pathOrDir, manifest.file);
  const bin = await readBytes(binPath);
  const out: TorchStateDict = new Map();
  for (const t of manifest.tensors) {
    const length = t.shape.reduce((a, b) => a * b, 1) * 4;
    if (t.offset + length > bin.length) throw new DataError(`${binPath}: truncated at tensor '${t.name}'`);
    const chunk = bin.subarray(t.offset, t.offset + length);
    if (sha256(chunk) !== t.sha256)
      throw new DataError(`${binPath}: tensor '${t.name}' fails its sha256 check`);
    const data = new Float32Array(length / 4);
    if (hostLittleEndian) new Uint8Array(data.buffer).set(chunk);
    else {
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    }
    out.set(t.name, { shape: [...t.shape], dtype: 'float32', data });
  }
  return out;
}
