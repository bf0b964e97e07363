import { ValidationError } from '@spottune/errors';

/**
 * Keys are `/`-separated relative paths. Both stores enforce the same rules so that a key valid on
 * S3 is valid on disk: no empty, `.` or `..` segments (nothing escapes the local directory), no
 * segment starting with `.` (the local store keeps its metadata and temp files there), no
 * backslash or NUL.
 */
export function checkKey(key: string): string {
  if (key.length === 0 || key.length > 1024) {
    throw new ValidationError(`object key must be 1..1024 characters, got ${key.length}`);
  }
  if (key.includes('\\') || key.includes('\0')) {
    throw new ValidationError(`object key ${JSON.stringify(key)} contains a backslash or NUL`);
  }
  for (const segment of key.split('/')) {
    if (segment === '' || segment.startsWith('.')) {
      throw new ValidationError(
        `object key ${JSON.stringify(key)} has an empty segment or one starting with '.' (e.g. '..')`,
      );
    }
  }
  return key;
}

/** A list prefix: like a key, but it may be empty or end with `/`. */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

export function checkRange(key: string, start: number, endInclusive: number): void {
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(endInclusive) ||
    start < 0 ||
    endInclusive < start
  ) {
    throw new ValidationError(`range ${start}..${endInclusive} of ${key}: need 0 <= start <= end`);
  }
}
