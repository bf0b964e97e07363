import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, NotFoundError, coerceError, isRetryable } from '@spottune/errors';
import type { Logger } from '@spottune/logger';
import { loadWeights, medicalNetSource, type ParameterSource } from '@spottune/model';
import type { JobDeps } from '../processor.ts';

/** Networks that start from MedicalNet weights (the plain ResNet never does). */
const PRETRAINED_NETWORKS = new Set(['spottune', 'transfer']);
const STORE_PREFIX = 'store:';

function badWeights(where: string, reason: string, cause?: unknown): DataError {
  return new DataError(`pretrained weights ${where}: ${reason}`, {
    details: { failureCode: 'BAD_WEIGHTS', field: 'training.pretrained' },
    ...(cause !== undefined && { cause }),
  });
}

/**
 * The `settings.pretrained` of a trial: MedicalNet weights read once per job from `training.pretrained`
 * (a local path, or `store:<key>` fetched into the verified cache), or null. A missing, corrupt or
 * mismatching file is a permanent DataError with failureCode BAD_WEIGHTS; transient store errors
 * stay retryable. spottune/transfer without weights only warn (the demo ships none).
 */
export async function resolvePretrained(
  deps: Pick<JobDeps, 'store' | 'cache' | 'config'>,
  network: string,
  pretrained: string | undefined,
  logger: Logger,
): Promise<ParameterSource | null> {
  if (!PRETRAINED_NETWORKS.has(network)) return null;
  if (pretrained === undefined) {
    logger.warn(
      { network },
      'no pretrained weights (training.pretrained unset): training from random initialisation',
    );
    return null;
  }
  const path = pretrained.startsWith(STORE_PREFIX)
    ? await fetchFromStore(deps, pretrained.slice(STORE_PREFIX.length))
    : pretrained;
  let stateDict;
  try {
    stateDict = await loadWeights(path);
  } catch (e) {
    const err = coerceError(e);
    if (isRetryable(err)) throw err;
    throw badWeights(pretrained, err.message, err);
  }
  const inner = medicalNetSource(stateDict, `MedicalNet ${pretrained}`);
  return {
    label: inner.label,
    // The mapping checks architecture and shapes only here (the depth/widths are the network's).
    async load(store, context) {
      try {
        return await inner.load(store, context);
      } catch (e) {
        const err = coerceError(e);
        if (isRetryable(err)) throw err;
        throw badWeights(pretrained, err.message, err);
      }
    },
  };
}

/** Local path of a store object: the verified cache when the store recorded a sha256, else a sha-named copy. */
async function fetchFromStore(
  deps: Pick<JobDeps, 'store' | 'cache' | 'config'>,
  key: string,
): Promise<string> {
  const where = `store:${key}`;
  try {
    const info = await deps.store.head(key);
    if (info.sha256 !== undefined) return await deps.cache.fetch(key, info.sha256);
    // Written by something else: no recorded hash, so name the copy after the bytes' own hash.
    const bytes = await deps.store.getBytes(key, { verify: false });
    const sha = createHash('sha256').update(bytes).digest('hex');
    const dir = join(deps.config.cache.dir, 'pretrained');
    const path = join(dir, `${sha}.pth`);
    const present = await stat(path).then(
      (s) => s.size === bytes.byteLength,
      () => false,
    );
    if (!present) {
      await mkdir(dir, { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    }
    return path;
  } catch (e) {
    const err = coerceError(e);
    if (err instanceof NotFoundError) throw badWeights(where, 'no such object in the store', err);
    if (isRetryable(err)) throw err;
    throw badWeights(where, err.message, err);
  }
}
