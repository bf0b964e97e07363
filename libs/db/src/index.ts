export { createDb } from './create-db.ts';
export type { CreateDbOptions, Db, DbOrTx } from './create-db.ts';
export { migrate } from './migrate.ts';
export type { MigrateOptions, MigrateResult } from './migrate.ts';
export { defaultMigrationsDir, readMigrations } from './migration-files.ts';
export type { MigrationFile } from './migration-files.ts';
export { MigrationError } from './migration-error.ts';
export type { MigrationErrorCode } from './migration-error.ts';
export { classifyDbError } from './classify-db-error.ts';
export { querySql } from './query-sql.ts';
export {
  PrismaClient,
  Prisma,
  MgmtStatus,
  VolumeStatus,
  RunStatus,
  SplitRole,
  DataSplit,
} from './generated/client.ts';
export type * from './generated/client.ts';
