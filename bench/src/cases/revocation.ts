import { sleep } from '@latchkey/testing';
import { pick, type BenchContext } from '../context.js';
import { basic, SHOP, WIKI_API } from '../peers/bench-clients.js';
import { single, type Row } from '../report/row.js';
import { nextMessage, spawnTs, type Child } from '../runner/child.js';
import { quantile } from '../runner/stats.js';
import { backChannelRows } from './back-channel-revocation.js';
import { SSF_RECEIVER, type BenchIdp } from '../services/idp.js';
import { codeBody, openIdpFixtures, type IdpFixtures } from '../services/idp-fixtures.js';
import type { ListenerMessage } from '../workers/listener-protocol.js';

const LISTENERS = 2;
/** The IdP's default ACCESS_TOKEN_TTL: what a plain JWT setup waits, at worst. */
const ACCESS_TOKEN_TTL_SEC = 600;

/**
 * Case 3: from the IdP's answer to a logout to the moment an SDK in another process refuses
 * the session's access token, at a sustained rate, with two SDK processes listening.
 */
export async function revocationCase(context: BenchContext): Promise<Row[]> {
  const idp = await context.idp();
  const redis = await context.redis();
  const count = pick(context, 1000, 150);
  /** The SSF rows: fewer logouts, each taking tens of ms rather than one. */
  const ssfCount = pick(context, 200, 40);
  /** One logout every this many ms: a sustained rate, not a burst. */
  const intervalMs = pick(context, 8, 10);
  const fixtures = await openIdpFixtures(redis.url);
  try {
    context.log(`case 3: signing in ${count + 2 * ssfCount} sessions`);
    const sessions = await prepareSessions(idp, fixtures, count + 2 * ssfCount);
    context.log(`case 3: ${count} logouts, one every ${intervalMs} ms, ${LISTENERS} SDK processes`);
    const viaRedis = await measure(idp, sessions.slice(0, count), intervalMs, () =>
      spawnTs('workers/revocation-listener.ts', {
        args: [idp.issuer, `${idp.url}/jwks`, redis.url, WIKI_API],
      }),
    );
    const ssfRows: Row[] = [];
    for (const [index, mode] of (['poll', 'push'] as const).entries()) {
      context.log(`case 3: ${ssfCount} logouts, SSF ${mode}, ${LISTENERS} SDK processes`);
      const from = count + index * ssfCount;
      const measured = await measure(
        idp,
        sessions.slice(from, from + ssfCount),
        // Slower: each refusal takes a round trip through the IdP's database and HTTP.
        intervalMs * 5,
        () =>
          spawnTs('workers/ssf-revocation-listener.ts', {
            args: [idp.issuer, idp.url, WIKI_API, mode, SSF_RECEIVER.id, SSF_RECEIVER.secret],
          }),
      );
      ssfRows.push(...ssfRowsFor(mode, measured, viaRedis.afterResponse));
    }

    const { afterResponse, afterRequest, seconds } = viaRedis;
    const p = (values: number[], q: number) => quantile(values, q);
    const note =
      `${count} logouts in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)}/s), ${afterResponse.length} refusals; ` +
      'negative: the SDK refused before the logout answer reached the browser. ' +
      `From the logout request: p50 ${p(afterRequest, 0.5).toFixed(2)} ms, p99 ${p(afterRequest, 0.99).toFixed(2)} ms`;
    const p99 = p(afterResponse, 0.99);
    return [
      {
        case: '3 revocation → SDK refuses, p50',
        latchkey: single(p(afterResponse, 0.5), ' ms', afterResponse.length),
        peer: PLAIN_JWT,
        target: '–',
        met: null,
      },
      {
        case: '3 revocation → SDK refuses, p99',
        latchkey: single(p99, ' ms', afterResponse.length),
        peer: PLAIN_JWT,
        target: '< 5 ms',
        met: p99 < 5,
        note,
      },
      ...ssfRows,
      // Beside Redis pub/sub: the same logout told over OIDC Back-Channel Logout.
      ...(await backChannelRows(context)),
    ];
  } finally {
    await fixtures.close();
  }
}

const PLAIN_JWT = {
  name: 'plain JWT: until exp (mean, max)',
  figure: {
    median: ACCESS_TOKEN_TTL_SEC / 2,
    min: 0,
    max: ACCESS_TOKEN_TTL_SEC,
    n: 2,
    unit: ' s',
  },
};

interface Measured {
  /** ms from the logout's answer (and from its request) to each SDK process's refusal. */
  afterResponse: number[];
  afterRequest: number[];
  seconds: number;
}

/** Logs every session out at a steady pace and times each listener's refusal. */
async function measure(
  idp: BenchIdp,
  sessions: readonly SignedIn[],
  intervalMs: number,
  spawnListener: () => Child,
): Promise<Measured> {
  const listeners: Child[] = [];
  try {
    for (let i = 0; i < LISTENERS; i += 1) listeners.push(spawnListener());
    for (const listener of listeners) {
      await nextMessage(listener, is('ready'), 20_000);
    }
    const afterResponse: number[] = [];
    const afterRequest: number[] = [];
    const started = performance.now();
    for (const [id, session] of sessions.entries()) {
      const slot = started + id * intervalMs;
      const { accessToken, idToken, sid } = session;
      await Promise.all(
        listeners.map(async (listener) => {
          listener.process.send({ type: 'arm', id, token: accessToken });
          await nextMessage(listener, isFor('armed', id), 5_000);
        }),
      );
      const waitMs = slot - performance.now();
      if (waitMs > 1) await sleep(waitMs);
      const rejections = listeners.map((listener) =>
        nextMessage(listener, isFor('rejected', id), 10_000),
      );
      const sent = process.hrtime.bigint();
      const response = await fetch(
        `${idp.url}/logout?${new URLSearchParams({ id_token_hint: idToken, client_id: SHOP.id }).toString()}`,
        // The browser's own session cookie: a hint alone never ends a session without the
        // user's confirmation (anyone holding an ID token could sign its user out).
        { redirect: 'manual', headers: { cookie: idp.sessionCookie(sid) } },
      );
      const answered = process.hrtime.bigint();
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`logout answered ${response.status}`);
      for (const rejection of await Promise.all(rejections)) {
        const at = BigInt(rejection.at);
        afterResponse.push(Number(at - answered) / 1e6);
        afterRequest.push(Number(at - sent) / 1e6);
      }
    }
    return { afterResponse, afterRequest, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(listeners.map((listener) => listener.stop()));
  }
}

/** The SSF source's rows: the issue asks for a refusal within 1 s of the logout at p99. */
function ssfRowsFor(mode: 'poll' | 'push', measured: Measured, redis: number[]): Row[] {
  const { afterResponse, afterRequest, seconds } = measured;
  const p50 = quantile(afterResponse, 0.5);
  const p99 = quantile(afterResponse, 0.99);
  // Next to the same quantile of the Redis source, measured in the same run.
  const viaRedis = (q: number) => ({
    name: `Redis pub/sub source, p${q * 100}`,
    figure: single(quantile(redis, q), ' ms', redis.length),
  });
  const note =
    `${afterRequest.length / LISTENERS} logouts in ${seconds.toFixed(1)} s, ${afterResponse.length} refusals, ` +
    `no Redis in the SDK processes. From the logout request: p50 ${quantile(afterRequest, 0.5).toFixed(2)} ms, ` +
    `p99 ${quantile(afterRequest, 0.99).toFixed(2)} ms`;
  return [
    {
      case: `3 revocation → SDK refuses, SSF ${mode}, p50`,
      latchkey: single(p50, ' ms', afterResponse.length),
      peer: viaRedis(0.5),
      target: '–',
      met: null,
    },
    {
      case: `3 revocation → SDK refuses, SSF ${mode}, p99`,
      latchkey: single(p99, ' ms', afterResponse.length),
      peer: viaRedis(0.99),
      target: '< 1000 ms',
      met: p99 < 1000,
      note,
    },
  ];
}

interface SignedIn {
  accessToken: string;
  idToken: string;
  sid: string;
}

/** Sessions with the shop's tokens, as after a login and a code redemption, 8 at a time. */
async function prepareSessions(
  idp: BenchIdp,
  fixtures: IdpFixtures,
  count: number,
): Promise<SignedIn[]> {
  const result: SignedIn[] = [];
  for (let start = 0; start < count; start += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - start) }, async () => {
        const session = await fixtures.session();
        const code = await fixtures.code(session);
        const response = await fetch(`${idp.url}/token`, {
          method: 'POST',
          headers: {
            authorization: basic(SHOP),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: codeBody(code),
        });
        const body = (await response.json()) as { access_token?: string; id_token?: string };
        if (!body.access_token || !body.id_token) {
          throw new Error(`code redemption failed: ${response.status} ${JSON.stringify(body)}`);
        }
        return { accessToken: body.access_token, idToken: body.id_token, sid: session.sid };
      }),
    );
    result.push(...batch);
  }
  return result;
}

function is(type: ListenerMessage['type']) {
  return (message: unknown): message is ListenerMessage =>
    (message as ListenerMessage | null)?.type === type ||
    (message as ListenerMessage | null)?.type === 'failed';
}

function isFor<T extends 'armed' | 'rejected'>(type: T, id: number) {
  return (message: unknown): message is Extract<ListenerMessage, { type: T }> => {
    const m = message as ListenerMessage | null;
    if (m?.type === 'failed' && m.id === id) throw new Error(`SDK process: ${m.error}`);
    return m?.type === type && m.id === id;
  };
}
