import pg from 'pg';
import type { DatabaseConfig } from '@spottune/config';
import { openPglite } from './open-pglite.ts';
import { pgliteSession, pgSession } from './sql-session.ts';

const INTERVAL_OID = 1186;

/** Intervals as Postgres prints them (`00:01:05`, as psql and PGlite show them), not pg's object. */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INTERVAL_OID) return (value: string) => value;
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

/**
 * Runs one ad-hoc statement over the plain driver (not Prisma, which cannot deserialize some types
 * the views return, e.g. `interval`) and returns its rows. For `spottune db sql` and tests; the
 * application itself goes through Prisma.
 */
export async function querySql(
  config: DatabaseConfig,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  if (config.kind === 'postgres') {
    const client = new pg.Client({ connectionString: config.url, types: { getTypeParser } });
    await client.connect();
    try {
      return await pgSession(client).query(sql, params);
    } finally {
      await client.end();
    }
  }
  const db = await openPglite(config.dir);
  try {
    return await pgliteSession(db).query(sql, params);
  } finally {
    await db.close();
  }
}
