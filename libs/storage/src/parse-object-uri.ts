import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@spottune/errors';

export type ObjectUri = { kind: 's3'; bucket: string; prefix: string } | { kind: 'local'; dir: string };

/**
 * `s3://bucket/some/prefix` → bucket and prefix (without leading slash, with a trailing one when
 * non-empty); `file:///dir` or a plain path → an absolute directory.
 */
export function parseObjectUri(uri: string): ObjectUri {
  if (uri.startsWith('s3://')) {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new ValidationError(`${uri}: "${bucket}" is not a valid S3 bucket name`);
    }
    let prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+/, '');
    if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
    return { kind: 's3', bucket, prefix };
  }
  if (uri.startsWith('file://')) {
    let dir: string;
    try {
      dir = fileURLToPath(uri);
    } catch (e) {
      throw new ValidationError(`${uri}: not a valid file:// URI`, { cause: e });
    }
    return { kind: 'local', dir };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new ValidationError(`${uri}: unsupported scheme (use s3://bucket/prefix, file:///dir or a path)`);
  }
  if (uri === '') throw new ValidationError('empty object-store location');
  return { kind: 'local', dir: isAbsolute(uri) ? uri : resolve(uri) };
}
