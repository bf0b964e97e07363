import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { DatabaseConfig } from '@spottune/config';
import type { Logger } from '@spottune/logger';
import { PrismaClient, type Prisma } from './generated/client.ts';
import { migrate, migrateSession, type MigrateResult } from './migrate.ts';
import { openPglite } from './open-pglite.ts';
import { pgliteSession } from './sql-session.ts';

export interface Db {
  prisma: PrismaClient;
  kind: DatabaseConfig['kind'];
  /** Disconnects Prisma (and closes the embedded database). Safe to call twice. */
  close(): Promise<void>;
}

/** A client or the client of an interactive transaction: what repository functions accept. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;

export interface CreateDbOptions {
  logger?: Logger;
  /**
   * Apply pending migrations before returning (the embedded one-machine mode). Services leave this
   * off and run `spottune db migrate` as a deploy step.
   */
  migrate?: boolean;
  /** Migrations folder for `migrate`. @defaultValue this repository's `prisma/migrations` */
  migrationsDir?: string;
}

/** Opens the configured database: Postgres through `pg`, or the embedded PGlite directory. */
export async function createDb(config: DatabaseConfig, options: CreateDbOptions = {}): Promise<Db> {
  const migrateOptions = {
    ...(options.logger !== undefined && { logger: options.logger }),
    ...(options.migrationsDir !== undefined && { migrationsDir: options.migrationsDir }),
  };
  if (config.kind === 'postgres') {
    if (options.migrate === true) logApplied(await migrate(config, migrateOptions), options.logger);
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: config.url }) });
    return { prisma, kind: 'postgres', close: once(() => prisma.$disconnect()) };
  }
  // One PGlite instance per directory: the runner and Prisma share it.
  const pglite = await openPglite(config.dir);
  try {
    if (options.migrate === true) {
      logApplied(await migrateSession(pgliteSession(pglite), migrateOptions), options.logger);
    }
  } catch (e) {
    await pglite.close();
    throw e;
  }
  // pglite-prisma-adapter 0.6.1 is typed against driver-adapter-utils 6.10 (argTypes differ in type
  // only); the generated client runs it unchanged (test/db/pglite.test.ts exercises it).
  const adapter = new PrismaPGlite(pglite) as unknown as PrismaAdapter;
  const prisma = new PrismaClient({ adapter });
  return {
    prisma,
    kind: 'pglite',
    close: once(async () => {
      await prisma.$disconnect();
      await pglite.close();
    }),
  };
}

type PrismaAdapter = NonNullable<ConstructorParameters<typeof PrismaClient>[0]>['adapter'];

function logApplied(result: MigrateResult, logger: Logger | undefined): void {
  logger?.debug({ applied: result.applied.length, alreadyApplied: result.alreadyApplied.length }, 'migrated');
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
