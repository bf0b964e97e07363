import type { Command } from 'commander';
import type { DatabaseConfig } from '@spottune/config';
import type { CliContext } from '../context.ts';

/**
 * `spottune db migrate`: apply pending migrations (prisma/migrations) to the configured database
 * (DATABASE_URL, else the embedded PGlite directory). `spottune db sql QUERY`: run one SQL statement
 * and print the rows, so the embedded database (which has no psql) can be queried like a server.
 */
export function registerDbCommand(program: Command, context: () => CliContext): void {
  const db = program.command('db').description('database schema and ad-hoc SQL');

  db.command('migrate')
    .description('apply pending migrations to DATABASE_URL (or the embedded PGlite database)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const { config, logger, stdout } = context();
      const { migrate } = await import('@spottune/db');
      const result = await migrate(config.database, { logger });
      if (options.json === true) {
        stdout(`${JSON.stringify({ database: describe(config.database), ...result })}\n`);
        return;
      }
      const where = describe(config.database);
      for (const name of result.applied) stdout(`applied ${name}\n`);
      stdout(
        result.applied.length === 0
          ? `${where}: up to date (${result.alreadyApplied.length} migrations applied earlier)\n`
          : `${where}: applied ${result.applied.length}, ${result.alreadyApplied.length} were already applied\n`,
      );
    });

  db.command('sql')
    .description('run one SQL statement against the configured database and print the rows')
    .argument('<query>', 'SQL, e.g. "SELECT * FROM v_best_ensemble_per_network"')
    .option('--json', 'print rows as JSON lines')
    .action(async (query: string, options: { json?: boolean }) => {
      const { config, stdout } = context();
      const { querySql } = await import('@spottune/db');
      const rows = await querySql(config.database, query);
      if (options.json === true) {
        for (const row of rows) stdout(`${JSON.stringify(row, jsonValue)}\n`);
        return;
      }
      const first = rows[0];
      if (first === undefined) {
        stdout('(0 rows)\n');
        return;
      }
      const columns = Object.keys(first);
      stdout(`${columns.join('\t')}\n`);
      for (const row of rows) stdout(`${columns.map((c) => cell(row[c])).join('\t')}\n`);
      stdout(`(${rows.length} rows)\n`);
    });
}

/** Where the database is, without credentials. */
function describe(config: DatabaseConfig): string {
  if (config.kind === 'pglite') return `pglite ${config.dir}`;
  const url = new URL(config.url);
  return `postgres ${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value, jsonValue);
  return String(value as string | number | bigint | boolean);
}
