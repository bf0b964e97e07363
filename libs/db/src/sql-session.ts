import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/**
 * The little the migration runner needs from a connection, over `pg` and PGlite alike: one session
 * (so BEGIN/COMMIT and advisory locks apply to what follows).
 */
export interface SqlSession {
  /** One parameterised statement. */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A script of several statements (simple-query protocol). */
  exec(sql: string): Promise<void>;
}

export function pgSession(client: pg.Client | pg.PoolClient): SqlSession {
  return {
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await client.query<T>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export function pgliteSession(db: PGlite): SqlSession {
  return {
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await db.query<T>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}
