import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';

/** Opens (creating on first use) the embedded database kept in `dir`. */
export async function openPglite(dir: string): Promise<PGlite> {
  await mkdir(dir, { recursive: true });
  const db = new PGlite(dir);
  await db.waitReady;
  return db;
}
