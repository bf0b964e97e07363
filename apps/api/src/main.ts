import { parseEnv } from '@spottune/config';
import { createLogger } from '@spottune/logger';
import { coerceError } from '@spottune/errors';
import { startServer } from './server.ts';

/** API entry point: parse the environment once, then start the server. */
export async function main(): Promise<void> {
  const config = parseEnv();
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty, base: { app: 'api' } });
  await startServer(config, logger);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`api: ${coerceError(e).stack}\n`);
    process.exit(1);
  });
}
