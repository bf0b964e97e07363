import { buildApp } from 'fauxqs';

/**
 * An S3-compatible server for tests: fauxqs (in memory) on 127.0.0.1 and a free port.
 * `.ci/run` starts one for the whole run and exports TEST_S3_ENDPOINT; without it each test file
 * starts its own. (fauxqs's own `startFauxqs` listens on 0.0.0.0, hence buildApp + listen.)
 */
export interface S3TestServer {
  endpoint: string;
  close(): Promise<void>;
}

export async function startS3TestServer(): Promise<S3TestServer> {
  const fromEnv = process.env.TEST_S3_ENDPOINT;
  if (fromEnv !== undefined && fromEnv !== '') return { endpoint: fromEnv, close: async () => {} };
  const app = buildApp({ logger: false, host: '127.0.0.1' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fauxqs did not report a port');
  return { endpoint: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
