export { createLogger, REDACT_PATHS } from './create-logger.ts';
export type { Logger, LoggerSettings } from './create-logger.ts';
