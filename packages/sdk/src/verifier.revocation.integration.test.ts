import { startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationStaleError, TokenRevokedError } from './errors.js';
import {
  createRedisRevocationSource,
  type RedisRevocationSource,
} from './revocation/redis-revocation-source.js';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { payloadOf, sign } from './test-support/keys.js';
import { writeRevocation } from './test-support/revocations.js';

/** A verifier with the Redis revocation source, end to end against a real redis-server. */

let f: Fixture;
let redis: TestRedis;
let writer: Redis;
let source: RedisRevocationSource;

describe('verifier with the Redis revocation source', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    f = await createFixture();
    redis = await startTestRedis();
    writer = new Redis(redis.url);
    writer.on('error', () => {});
    source = createRedisRevocationSource({ url: redis.url, maxStalenessMs: 400 });
    await source.ready({ signal: AbortSignal.timeout(5_000) });
  });
  afterAll(async () => {
    await source.close();
    writer.disconnect();
    await redis.kill();
    await f.idp.close();
  });
  beforeEach(() => {
    f.reset();
    // Token times on the same clock as the revocation records.
    f.clock.ms = Date.now();
  });

  it('rejects an access token of a revoked session with TokenRevokedError', async () => {
    const verifier = f.verifier({ revocation: source });
    const token = await sign(f.keys.es256, f.accessClaims({ sid: 'sid-logout' }));
    const other = await sign(f.keys.es256, f.accessClaims({ sid: 'sid-other' }));
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sid: 'sid-logout' });

    await writeRevocation(writer, {
      kind: 'session',
      sid: 'sid-logout',
      expiresAt: Date.now() + 60_000,
    });
    await waitFor('the revocation to arrive', () => source.status.entries >= 1);
    await expect(verifier.verifyAccessToken(token)).rejects.toBeInstanceOf(TokenRevokedError);
    await expect(verifier.verifyAccessToken(other)).resolves.toEqual(payloadOf(other));
  });

  it('rejects an ID token of a revoked session', async () => {
    const verifier = f.verifier({ revocation: source });
    const token = await sign(f.keys.es256, f.idClaims({ sid: 'sid-id' }), { typ: undefined });
    await expect(verifier.verifyIdToken(token)).resolves.toEqual(payloadOf(token));

    await writeRevocation(writer, {
      kind: 'session',
      sid: 'sid-id',
      expiresAt: Date.now() + 60_000,
    });
    await waitFor('the revocation to refuse the ID token', async () =>
      verifier.verifyIdToken(token).then(
        () => false,
        (error: unknown) => error instanceof TokenRevokedError,
      ),
    );
    await expect(verifier.verifyIdToken(token)).rejects.toMatchObject({
      code: 'ERR_TOKEN_REVOKED',
    });
  });

  it('"log out everywhere" refuses tokens issued before it, by iat, and not later ones', async () => {
    const verifier = f.verifier({ revocation: source });
    const nowSec = f.nowSec();
    const before = await sign(f.keys.es256, f.accessClaims({ sub: 'user-9', iat: nowSec - 30 }));
    const after = await sign(f.keys.es256, f.accessClaims({ sub: 'user-9', iat: nowSec }));
    const otherUser = await sign(f.keys.es256, f.accessClaims({ sub: 'user-8', iat: nowSec - 30 }));

    await writeRevocation(writer, {
      kind: 'subject',
      sub: 'user-9',
      notBefore: nowSec,
      expiresAt: Date.now() + 60_000,
    });
    await waitFor('the subject revocation to refuse the older token', async () =>
      verifier.verifyAccessToken(before).then(
        () => false,
        (error: unknown) => error instanceof TokenRevokedError,
      ),
    );
    await expect(verifier.verifyAccessToken(after)).resolves.toEqual(payloadOf(after));
    await expect(verifier.verifyAccessToken(otherUser)).resolves.toEqual(payloadOf(otherUser));
  });

  it('answers 503-family RevocationStaleError once Redis has been gone too long', async () => {
    const verifier = f.verifier({ revocation: source });
    const token = await sign(f.keys.es256, f.accessClaims({ sid: 'sid-fine' }));
    await expect(verifier.verifyAccessToken(token)).resolves.toEqual(payloadOf(token));

    await redis.kill();
    await waitFor('the source to go stale', () => source.status.stale, { timeoutMs: 2_000 });
    await expect(verifier.verifyAccessToken(token)).rejects.toBeInstanceOf(RevocationStaleError);

    await redis.start();
    await waitFor('the source to resync', () => !source.status.stale, { timeoutMs: 10_000 });
    await expect(verifier.verifyAccessToken(token)).resolves.toEqual(payloadOf(token));
  });
});
