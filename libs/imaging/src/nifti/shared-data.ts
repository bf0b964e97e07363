import { fileURLToPath } from 'node:url';

/**
 * Test helper: the project's read-only shared data folder (`<repo>/../shared/data`), resolved from this
 * file so tests work from any cwd. Tests read files from there and fail when they are missing.
 */
export function sharedDataPath(...parts: string[]): string {
  const root = fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));
  return root + parts.join('/');
}
