import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Redis for integration tests. Each test file gets its own BullMQ prefix (never shared keys with other
 * files running in parallel) and deletes every key under it in `after`:
 *
 *   const redis = testRedis('api');        // redis.url, redis.prefix, redis.client
 *   after(() => redis.cleanup());
 */
export interface TestRedis {
  url: string;
  /** Unique BullMQ prefix for this file. */
  prefix: string;
  /** A plain client for assertions (job counts). */
  client: Redis;
  /** Number of jobs of `queue` in each BullMQ state list/set. */
  jobCounts(queue: string): Promise<Record<string, number>>;
  /** Deletes every key under the prefix and closes the client. */
  cleanup(): Promise<void>;
}

export function testRedisUrl(): string {
  const fromEnv = process.env.TEST_REDIS_URL;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'redis://127.0.0.1:6379';
}

export function testRedis(name: string): TestRedis {
  const url = testRedisUrl();
  const prefix = `spottune-test-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const client = new Redis(url, { maxRetriesPerRequest: 3 });
  return {
    url,
    prefix,
    client,
    async jobCounts(queue) {
      const key = (state: string) => `${prefix}:${queue}:${state}`;
      return {
        waiting: await client.llen(key('wait')),
        active: await client.llen(key('active')),
        'waiting-children': await client.zcard(key('waiting-children')),
        delayed: await client.zcard(key('delayed')),
        prioritized: await client.zcard(key('prioritized')),
        completed: await client.zcard(key('completed')),
        failed: await client.zcard(key('failed')),
      };
    },
    async cleanup() {
      // SCAN + UNLINK rather than obliterate: it also removes the flow and meta keys of every queue.
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await client.unlink(...keys);
      } while (cursor !== '0');
      await client.quit();
    },
  };
}

/** Poll `condition` every `intervalMs` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  condition: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
