import { encodeRevocationMember, encodeRevocationNotice, revocationKeys } from '@latchkey/protocol';
import { waitFor } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { pick, type BenchContext } from '../context.js';
import { single, type Row } from '../report/row.js';
import { nextMessage, spawnTs, type Child } from '../runner/child.js';
import { openIdpFixtures } from '../services/idp-fixtures.js';

interface MemoryReply {
  type: 'memory';
  rss: number;
  heapUsed: number;
  entries: number;
}
const isMemory = (m: unknown): m is MemoryReply => (m as MemoryReply | null)?.type === 'memory';
const MiB = 2 ** 20;

/**
 * Case 8: memory. The SDK holds the revoked set in memory: its cost with 100,000 revoked
 * sessions, pushed to it as the IdP pushes them (sorted set + notice). The IdP keeps sessions
 * in Redis only: its memory after 100,000 sessions exist and it has served requests for them,
 * beside what Redis holds for them.
 */
export async function memoryCase(context: BenchContext): Promise<Row[]> {
  const redis = await context.redis();
  const count = pick(context, 100_000, 20_000);
  const writer = new Redis(redis.url);
  let sdk: Child | undefined;
  try {
    sdk = spawnTs('workers/sdk-memory.ts', { args: [redis.url], nodeArgs: ['--expose-gc'] });
    await nextMessage(
      sdk,
      (m): m is { type: 'ready' } => (m as { type?: string }).type === 'ready',
      20_000,
    );
    const sample = async (): Promise<MemoryReply> => {
      sdk!.process.send('sample');
      return nextMessage(sdk!, isMemory, 10_000);
    };
    const before = await sample();
    context.log(`case 8: revoking ${count} sessions`);
    const expiresAt = Date.now() + 30 * 60_000;
    for (let start = 0; start < count; start += 1000) {
      const batch = writer.pipeline();
      for (let i = start; i < Math.min(count, start + 1000); i += 1) {
        const revocation = {
          kind: 'session' as const,
          sid: `bench-${i}-${'x'.repeat(30)}`,
          expiresAt,
        };
        batch.zadd(revocationKeys.set, expiresAt, encodeRevocationMember(revocation));
        batch.publish(revocationKeys.channel, encodeRevocationNotice(revocation));
      }
      await batch.exec();
    }
    await waitFor(
      'the SDK to hold every revocation',
      async () => (await sample()).entries >= count,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    const after = await sample();

    const idp = await context.idp();
    const idpBefore = await idp.probe('sample', true);
    const redisBefore = await usedMemory(writer);
    const sessions = pick(context, 100_000, 20_000);
    context.log(`case 8: ${sessions} IdP sessions`);
    const fixtures = await openIdpFixtures(redis.url);
    const sids: string[] = [];
    try {
      for (let start = 0; start < sessions; start += 500) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(500, sessions - start) }, () => fixtures.session()),
        );
        sids.push(...batch.map((s) => s.sid));
      }
    } finally {
      await fixtures.close();
    }
    // The IdP reads sessions for every request that acts in one: /authorize with the session
    // cookie (single sign-on) issues a code in it.
    const served = pick(context, 5_000, 1_000);
    for (let start = 0; start < served; start += 25) {
      await Promise.all(
        sids.slice(start, start + 25).map(async (sid) => {
          const url = new URL(`${idp.url}/authorize`);
          url.search = new URLSearchParams({
            response_type: 'code',
            client_id: 'shop',
            redirect_uri: 'http://shop.localhost:3001/auth/callback',
            scope: 'openid',
            state: 's',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
          }).toString();
          const response = await fetch(url, {
            redirect: 'manual',
            headers: { cookie: idp.sessionCookie(sid) },
          });
          await response.arrayBuffer();
          if (!response.headers.get('location')?.includes('code=')) {
            throw new Error(`single sign-on did not issue a code (${response.status})`);
          }
        }),
      );
    }
    const idpAfter = await idp.probe('sample', true);
    const redisAfter = await usedMemory(writer);
    const mib = (bytes: number) => bytes / MiB;
    return [
      {
        case: `8 SDK memory, ${count} revoked sessions`,
        latchkey: single(mib(after.heapUsed - before.heapUsed), ' MiB heap'),
        target: '–',
        met: null,
        note: `RSS +${mib(after.rss - before.rss).toFixed(1)} MiB (${after.rss > before.rss ? Math.round((after.rss - before.rss) / count) : 0} B each), heap ${mib(before.heapUsed).toFixed(1)} → ${mib(after.heapUsed).toFixed(1)} MiB`,
      },
      {
        case: `8 IdP memory after ${sessions} sessions`,
        latchkey: single(mib(idpAfter.heapUsedBytes - idpBefore.heapUsedBytes), ' MiB heap'),
        target: '–',
        met: null,
        note: `RSS ${mib(idpBefore.rssBytes).toFixed(0)} → ${mib(idpAfter.rssBytes).toFixed(0)} MiB after ${served} single sign-ons in them; sessions live in Redis: +${mib(redisAfter - redisBefore).toFixed(1)} MiB there (${Math.round((redisAfter - redisBefore) / sessions)} B each, codes included)`,
      },
    ];
  } finally {
    await sdk?.stop();
    writer.disconnect();
  }
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}
