import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors wherever they appear in a log object. Covers the config object (logged at
 * start-up), HTTP requests, and anything carrying S3 or database credentials.
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'token',
  'tokens',
  'secretAccessKey',
  'accessKeyId',
  'url',
  '*.password',
  '*.token',
  '*.tokens',
  '*.secretAccessKey',
  '*.accessKeyId',
  '*.url',
  '*.*.secretAccessKey',
  '*.*.accessKeyId',
  '*.*.tokens',
  '*.*.url',
  'DATABASE_URL',
  'REDIS_URL',
  'S3_SECRET_ACCESS_KEY',
  'S3_ACCESS_KEY_ID',
  'SPOTTUNE_API_TOKENS',
  '*.DATABASE_URL',
  '*.REDIS_URL',
  '*.S3_SECRET_ACCESS_KEY',
  '*.S3_ACCESS_KEY_ID',
  '*.SPOTTUNE_API_TOKENS',
];

export interface LoggerSettings {
  level?: string;
  /** Pretty, human output. Default: only when stdout is a TTY (never decided by NODE_ENV). */
  pretty?: boolean | undefined;
  /** Base fields bound into every line (service name, worker id). */
  base?: Record<string, unknown>;
  /** Where JSON lines go (tests pass a stream to inspect output). Default: stdout. */
  destination?: DestinationStream;
}

/** The one pino factory: JSON lines in production, pretty only on a TTY, secrets redacted. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { pid: process.pid, ...settings.base },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  const pretty = settings.pretty ?? (settings.destination === undefined && process.stdout.isTTY === true);
  if (pretty && settings.destination === undefined) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
