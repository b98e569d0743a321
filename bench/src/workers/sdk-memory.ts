/**
 * Case 8's SDK process: a verifier with the Redis revocation source, reporting its memory
 * (after a full GC) when asked, and how many revocations it holds.
 *
 * Usage: node --expose-gc --import tsx sdk-memory.ts REDIS_URL
 */
import { createVerifier } from '@latchkey/sdk';
import { createRedisRevocationSource } from '@latchkey/sdk/redis';

const revocation = createRedisRevocationSource({ url: process.argv[2]! });
createVerifier({ issuer: 'http://127.0.0.1:1', audience: 'api', revocation });

process.on('message', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.send?.({ type: 'memory', rss, heapUsed, entries: revocation.status.entries });
});
process.on('SIGTERM', () => void revocation.close().finally(() => process.exit(0)));
await revocation.ready({ signal: AbortSignal.timeout(10_000) });
process.send?.({ type: 'ready' });
