import { AppError, type AppErrorOptions } from '@spottune/errors';

export type MigrationErrorCode =
  /** An applied migration's file changed since it was applied. */
  | 'MIGRATION_CHECKSUM_MISMATCH'
  /** A migration's SQL failed; its transaction was rolled back. */
  | 'MIGRATION_FAILED'
  /** `_prisma_migrations` records a migration that started but never finished (e.g. by `prisma migrate`). */
  | 'MIGRATION_INCOMPLETE'
  /** The migrations folder is missing or holds no migration. */
  | 'MIGRATIONS_NOT_FOUND';

/**
 * The database schema cannot be brought up to date by the runner. Like ConfigError, raised at
 * start-up and never retried: a person has to look at the migrations folder or the database.
 */
export class MigrationError extends AppError {
  readonly code: MigrationErrorCode;

  constructor(code: MigrationErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}
