import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { coerceError } from '@spottune/errors';

/** A temp path beside `path` (same directory, so the final rename is atomic). Names start with '.'. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.tmp-${basename(path)}-${randomBytes(6).toString('hex')}`);
}

/**
 * Writes `source` to a temp file beside `path`, fsyncs it, and renames it over `path`: readers see
 * the old file or the new one, never a partial one. `through` (e.g. a HashingStream) sees the bytes
 * on the way. If the stream fails (including a checksum check
 * at its end) nothing is left behind.
 */
export async function writeFileAtomic(
  path: string,
  source: Readable | Uint8Array,
  through?: Transform,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx');
  let closed = false;
  let renamed = false;
  try {
    if (source instanceof Uint8Array) await handle.writeFile(source);
    else if (through === undefined) await pipeline(source, toHandle(handle));
    else await pipeline(source, through, toHandle(handle));
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(temp, path);
    renamed = true;
  } catch (e) {
    throw coerceError(e);
  } finally {
    if (!renamed) {
      if (!closed) await handle.close();
      await rm(temp, { force: true });
    }
  }
}

/** Writes into an open handle without closing it (we fsync before closing). */
function toHandle(handle: FileHandle): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      handle.write(chunk).then(
        () => callback(),
        (e: unknown) => callback(coerceError(e)),
      );
    },
  });
}
