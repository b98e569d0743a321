import { randomBytes } from 'node:crypto';
import { startTestRedis, waitFor, type TestRedis } from '@latchkey/testing';
import { Redis } from 'ioredis';
import { NextRequest } from 'next/server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BackChannelLogoutEvent } from '../logout/back-channel-logout.js';
import { AUDIENCE, CLIENT_ID, createFixture, type Fixture } from '../test-support/fixture.js';
import { sign } from '../test-support/keys.js';
import { postLogout } from '../test-support/logout-requests.js';
import { logoutClaims, signLogout } from '../test-support/logout-tokens.js';
import { writeRevocation } from '../test-support/revocations.js';
import { serveWebHandler, type WebHandlerServer } from '../test-support/web-handler-server.js';
import { SESSION_COOKIE } from './cookies.js';
import { createLatchkeyNext, type LatchkeyNext } from './create-latchkey-next.js';
import { createSealer } from './sealed-value.js';
import { SESSION_PURPOSE } from './session-data.js';

/**
 * The whole Next.js adapter: a session kept in an encrypted cookie ends when the IdP's
 * back-channel logout reaches `POST /auth/backchannel-logout`, though the cookie itself is
 * never touched. Real Redis for the revocation source, real HTTP for the logout call.
 */

const APP = 'http://shop.localhost:3001';
let f: Fixture;
let redis: TestRedis;
let latchkey: LatchkeyNext;
let served: WebHandlerServer;
let sessionSecret: string;
let events: BackChannelLogoutEvent[];

beforeAll(async () => {
  [f, redis] = await Promise.all([createFixture(), startTestRedis()]);
});
afterAll(async () => {
  await f.idp.close();
  await redis.kill();
});
function options(secret: string): Parameters<typeof createLatchkeyNext>[0] {
  return {
    issuer: f.idp.issuer,
    appUrl: APP,
    clientId: CLIENT_ID,
    clientSecret: 'secret',
    audience: AUDIENCE,
    sessionSecret: secret,
    redisUrl: redis.url,
    logger: { warn() {} },
    onBackChannelLogout: (event) => {
      events.push(event);
    },
  };
}

beforeEach(async () => {
  f.reset();
  f.clock.ms = Date.now();
  events = [];
  sessionSecret = randomBytes(32).toString('base64url');
  latchkey = createLatchkeyNext(options(sessionSecret));
  served = await serveWebHandler((request) =>
    latchkey.routes.POST(request, { params: Promise.resolve({ action: 'backchannel-logout' }) }),
  );
});
afterEach(async () => {
  await served.close();
  await latchkey.close();
});

/** A live session cookie for `sub` in IdP session `sid`, its token issued `ageSec` ago. */
async function sessionCookie(
  sub: string,
  sid: string,
  ageSec = 0,
  secret = sessionSecret,
): Promise<string> {
  const iat = f.nowSec() - ageSec;
  const at = await sign(f.keys.es256, f.accessClaims({ sub, sid, iat }));
  const sealed = createSealer(Buffer.from(secret, 'base64url')).seal(SESSION_PURPOSE, {
    at,
    sub,
    sid,
  });
  return `${SESSION_COOKIE}=${sealed}`;
}

async function throughProxy(cookie: string, app = latchkey): Promise<'page' | 'login'> {
  const response = await app.proxy(new NextRequest(`${APP}/orders`, { headers: { cookie } }));
  if (response.status === 307) return 'login';
  expect(response.headers.get('x-middleware-next')).toBe('1');
  return 'page';
}

describe('createLatchkeyNext back-channel logout', { timeout: 20_000 }, () => {
  it('a logout token with sid ends that session; the user’s other session stays', async () => {
    const first = await sessionCookie('alice', 'sid-a1');
    const second = await sessionCookie('alice', 'sid-a2');
    expect(await throughProxy(first)).toBe('page');
    expect(await throughProxy(second)).toBe('page');

    const token = await signLogout(f, logoutClaims(f, { sub: 'alice', sid: 'sid-a1' }));
    const response = await postLogout(`${served.url}/auth/backchannel-logout`, token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');

    expect(await throughProxy(first)).toBe('login');
    expect(await throughProxy(second)).toBe('page');
    expect(events).toMatchObject([{ sub: 'alice', sid: 'sid-a1' }]);
  });

  it('a logout token with sub only ends every session of that user', async () => {
    const bob1 = await sessionCookie('bob', 'sid-b1', 30);
    const bob2 = await sessionCookie('bob', 'sid-b2', 30);
    const carol = await sessionCookie('carol', 'sid-c1', 30);
    const token = await signLogout(f, logoutClaims(f, { sub: 'bob', sid: undefined }));
    expect((await postLogout(`${served.url}/auth/backchannel-logout`, token)).status).toBe(200);
    expect(await throughProxy(bob1)).toBe('login');
    expect(await throughProxy(bob2)).toBe('login');
    expect(await throughProxy(carol)).toBe('page');
  });

  it('a refused logout token ends nothing', async () => {
    const cookie = await sessionCookie('dave', 'sid-d1');
    const token = await signLogout(f, logoutClaims(f, { sid: 'sid-d1', nonce: 'n' }));
    expect((await postLogout(`${served.url}/auth/backchannel-logout`, token)).status).toBe(400);
    expect(await throughProxy(cookie)).toBe('page');
    expect(events).toEqual([]);
  });

  it('both paths agree: an instance the call did not reach refuses through Redis', async () => {
    const otherSecret = randomBytes(32).toString('base64url');
    const other = createLatchkeyNext(options(otherSecret));
    const writer = new Redis(redis.url);
    try {
      const here = await sessionCookie('frank', 'sid-f1');
      const there = await sessionCookie('frank', 'sid-f1', 0, otherSecret);
      expect(await throughProxy(there, other)).toBe('page');
      // The IdP ends the session: it revokes it in Redis and sends the logout token to one
      // instance behind the backchannel_logout_uri.
      await writeRevocation(writer, {
        kind: 'session',
        sid: 'sid-f1',
        expiresAt: Date.now() + 60_000,
      });
      const token = await signLogout(f, logoutClaims(f, { sub: 'frank', sid: 'sid-f1' }));
      expect((await postLogout(`${served.url}/auth/backchannel-logout`, token)).status).toBe(200);
      expect(await throughProxy(here)).toBe('login');
      await waitFor(
        'the other instance to refuse',
        async () => (await throughProxy(there, other)) === 'login',
      );
    } finally {
      writer.disconnect();
      await other.close();
    }
  });

  it('answers GET /auth/backchannel-logout 405', async () => {
    const response = await latchkey.routes.GET(new Request(`${APP}/auth/backchannel-logout`), {
      params: Promise.resolve({ action: 'backchannel-logout' }),
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('latchkey.backChannelLogout is the same handler, for a route of its own', async () => {
    const own = await serveWebHandler(latchkey.backChannelLogout);
    try {
      const cookie = await sessionCookie('erin', 'sid-e1');
      const token = await signLogout(f, logoutClaims(f, { sub: 'erin', sid: 'sid-e1' }));
      expect((await postLogout(`${own.url}/api/backchannel`, token)).status).toBe(200);
      expect(await throughProxy(cookie)).toBe('login');
    } finally {
      await own.close();
    }
  });
});
