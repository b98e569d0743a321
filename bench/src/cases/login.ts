import { createHash, randomBytes } from 'node:crypto';
import { pick, type BenchContext } from '../context.js';
import { SHOP } from '../peers/bench-clients.js';
import { single, type Row } from '../report/row.js';
import { startLoadGenerator } from '../runner/load.js';
import type { LoadConfig } from '../runner/load-protocol.js';

/** Concurrent browsers signing in during the burst. */
const BROWSERS = 4;

/**
 * Case 7: logins (Argon2id at the OWASP parameters, 19 MiB, t=2) as a browser makes them:
 * /authorize, the form, POST /login, redirect with a code. Argon2id runs on libuv's thread
 * pool, so while logins go on, other requests must still be answered at once: a GET /jwks load
 * runs beside the burst, and its p99 is the target. oidc-provider has no login of its own (the
 * application writes it), so there is no peer: the comparison is with the same /jwks load on an
 * idle IdP.
 */
export async function loginCase(context: BenchContext): Promise<Row[]> {
  const idp = await context.idp();
  const load = startLoadGenerator();
  try {
    const durationSec = pick(context, 8, 4);
    const jwksLoad: LoadConfig = {
      url: `${idp.url}/jwks`,
      method: 'GET',
      headers: {},
      connections: 4,
      durationSec,
    };
    await signIn(idp.url); // warm: the first login also computes the dummy hash
    context.log('case 7: GET /jwks alone');
    const idle = await load.run(jwksLoad);
    context.log(`case 7: GET /jwks during ${BROWSERS} browsers signing in`);
    await idp.probe('reset');
    const during = load.run(jwksLoad);
    // The logins stay inside the load's window: they start after it and stop 1 s before its end.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const deadline = performance.now() + (durationSec - 1.5) * 1000;
    const started = performance.now();
    const counts = await Promise.all(
      Array.from({ length: BROWSERS }, async () => {
        let done = 0;
        while (performance.now() < deadline && done < 1000) {
          await signIn(idp.url);
          done += 1;
        }
        return done;
      }),
    );
    const loginSeconds = (performance.now() - started) / 1000;
    const loop = await idp.probe('sample');
    const busy = await during;
    const logins = counts.reduce((a, b) => a + b, 0);
    if (idle.non2xx + busy.non2xx + idle.errors + busy.errors > 0) {
      throw new Error('GET /jwks failed during the login case');
    }
    const idleFigure = { name: 'same /jwks load, no logins', figure: single(idle.p99Ms, ' ms') };
    return [
      {
        case: `7 login (Argon2id), ${BROWSERS} browsers`,
        latchkey: single(logins / loginSeconds, '/s', logins),
        target: '–',
        met: null,
        note: `${logins} logins in ${loginSeconds.toFixed(1)} s; each: /authorize, GET /login, POST /login, redirect with a code`,
      },
      {
        case: '7 GET /jwks p99 during logins',
        latchkey: single(busy.p99Ms, ' ms'),
        peer: idleFigure,
        target: '< 5 ms',
        met: busy.p99Ms < 5,
      },
      {
        case: '7 IdP event-loop delay p99 during logins',
        latchkey: single(loop.loopDelayMs.p99, ' ms'),
        target: '–',
        met: null,
        note: `max ${loop.loopDelayMs.max.toFixed(1)} ms (monitorEventLoopDelay, 1 ms resolution)`,
      },
    ];
  } finally {
    await load.close();
  }
}

/** What a browser sign-in leaves: the session cookie, and the code with its PKCE verifier. */
export interface BrowserSignIn {
  cookie: string;
  code: string;
  verifier: string;
}

/**
 * One browser sign-in as alice at the shop, cookies kept by hand; throws unless it ends with
 * a code.
 */
export async function signIn(base: string, scope = 'openid profile'): Promise<BrowserSignIn> {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${base}/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: SHOP.id,
    redirect_uri: SHOP.redirectUri,
    scope,
    state: randomBytes(8).toString('base64url'),
    nonce: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const toLogin = await fetch(authorize, { redirect: 'manual' });
  await toLogin.arrayBuffer();
  const loginUrl = new URL(toLogin.headers.get('location') ?? '', base);
  const form = await fetch(loginUrl, { redirect: 'manual' });
  const html = await form.text();
  const field = (name: string): string =>
    new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const submitted = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(form) },
    body: new URLSearchParams({
      authz: field('authz'),
      csrf: field('csrf'),
      username: 'alice',
      password: 'wonderland-alice',
    }).toString(),
  });
  await submitted.arrayBuffer();
  const location = submitted.headers.get('location') ?? '';
  if (submitted.status !== 303 && submitted.status !== 302) {
    throw new Error(`POST /login answered ${submitted.status}`);
  }
  const code = new URL(location, base).searchParams.get('code');
  if (!code) throw new Error(`the login did not end with a code: ${location}`);
  return { cookie: cookiesOf(submitted), code, verifier };
}

/** The cookies a response sets, as a Cookie header sends them back. */
function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}
