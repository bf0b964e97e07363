// Runs the tests' S3-compatible server (fauxqs) on 127.0.0.1 until killed; prints its endpoint.
// Used by .ci/run: `tsx scripts/s3-test-server.ts > endpoint-file &`.
import { startS3TestServer } from '../test/support/s3-server.ts';

delete process.env.TEST_S3_ENDPOINT;
const server = await startS3TestServer();
process.stdout.write(`${server.endpoint}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
