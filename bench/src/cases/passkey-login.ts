import { createHash, randomBytes } from 'node:crypto';
import {
  softwareAuthenticator,
  type SoftCredential,
} from '@latchkey/idp/src/test-support/software-authenticator.js';
import { pick, type BenchContext } from '../context.js';
import { SHOP } from '../peers/bench-clients.js';
import { single, type Row } from '../report/row.js';
import { signIn as passwordSignIn } from './login.js';

/** Concurrent browsers signing in, as in the password login case. */
const BROWSERS = 4;
/** The passkey's owner: not alice, whose password logins the other cases make. */
const OWNER = { username: 'bob', password: 'builder-bob' };

/**
 * Passkey sign-in throughput next to password login: the same browsers, the same steps
 * (/authorize, the form, the POST, a redirect with a code), one with a passwordless ES256
 * assertion from a software authenticator (passkeys/), the other with Argon2id. Each loop is
 * bounded in count and time.
 */
export async function passkeyLoginCase(context: BenchContext): Promise<Row[]> {
  const idp = await context.idp();
  const durationSec = pick(context, 6, 3);
  const issuer = new URL(idp.issuer);
  // A synced passkey, as platforms make them: its counter stays 0. A counting one would have
  // its concurrent assertions refused as soon as two arrived out of order (counter rules).
  const authenticator = softwareAuthenticator({
    rpId: issuer.hostname,
    origin: issuer.origin,
    backupEligible: true,
    initialCounter: 0,
  });
  const credential = await enrol(idp.url, authenticator);
  await passkeySignIn(idp.url, authenticator, credential); // warm

  const measure = async (signIn: () => Promise<void>) => {
    const deadline = performance.now() + durationSec * 1000;
    const started = performance.now();
    const counts = await Promise.all(
      Array.from({ length: BROWSERS }, async () => {
        let done = 0;
        while (performance.now() < deadline && done < 5000) {
          await signIn();
          done += 1;
        }
        return done;
      }),
    );
    const total = counts.reduce((a, b) => a + b, 0);
    return { total, perSecond: total / ((performance.now() - started) / 1000) };
  };
  context.log(`passkey sign-in: ${BROWSERS} browsers for ${durationSec} s`);
  const passkeys = await measure(() => passkeySignIn(idp.url, authenticator, credential));
  context.log(`password login: ${BROWSERS} browsers for ${durationSec} s`);
  const passwords = await measure(() => passwordSignIn(idp.url));
  return [
    {
      case: `passkey sign-in (ES256, passwordless), ${BROWSERS} browsers`,
      latchkey: single(passkeys.perSecond, '/s', passkeys.total),
      peer: {
        name: 'password login (Argon2id), same browsers',
        figure: single(passwords.perSecond, '/s', passwords.total),
      },
      target: '–',
      met: null,
      note: 'each: /authorize, GET /login (a new challenge), POST /login/passkey, redirect with a code',
    },
  ];
}

type Jar = Map<string, string>;

async function send(jar: Jar, url: string | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';')[0] ?? '';
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return response;
}

const post = (jar: Jar, url: string, fields: Record<string, string>) =>
  send(jar, url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

function optionsIn(html: string, kind: string): { challenge: string; user?: { id: string } } {
  const at = html.indexOf(`data-passkey="${kind}"`);
  const raw = /data-options="([^"]*)"/.exec(html.slice(at))?.[1] ?? '{}';
  return JSON.parse(raw.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as {
    challenge: string;
  };
}

/** Signs the owner in at /account with the password, and enrols a passkey there. */
async function enrol(
  base: string,
  authenticator: ReturnType<typeof softwareAuthenticator>,
): Promise<SoftCredential> {
  const jar: Jar = new Map();
  const toLogin = await send(jar, `${base}/account`);
  const form = await (await send(jar, new URL(toLogin.headers.get('location') ?? '', base))).text();
  await post(jar, `${base}/login`, {
    authz: field(form, 'authz'),
    csrf: field(form, 'csrf'),
    ...OWNER,
  });
  const page = await (await send(jar, `${base}/account/passkeys`)).text();
  const options = optionsIn(page, 'register');
  const { credential, response } = authenticator.register(options.challenge, options.user!.id);
  const done = await post(jar, `${base}/account/passkeys`, {
    csrf: field(page, 'csrf'),
    challenge: /name="challenge" value="([^"]*)"/.exec(
      page.slice(page.indexOf('data-passkey')),
    )![1]!,
    credential: JSON.stringify(response),
    name: 'bench',
  });
  if (done.status !== 303) throw new Error(`enrolling the bench passkey answered ${done.status}`);
  return credential;
}

/** One passwordless sign-in to the shop; throws unless it ends with a code. */
async function passkeySignIn(
  base: string,
  authenticator: ReturnType<typeof softwareAuthenticator>,
  credential: SoftCredential,
): Promise<void> {
  const jar: Jar = new Map();
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${base}/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: SHOP.id,
    redirect_uri: SHOP.redirectUri,
    scope: 'openid profile',
    state: randomBytes(8).toString('base64url'),
    nonce: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const toLogin = await send(jar, authorize);
  const html = await (await send(jar, new URL(toLogin.headers.get('location') ?? '', base))).text();
  const passkeyForm = html.slice(html.indexOf('data-passkey="login"'));
  const { challenge } = optionsIn(html, 'login');
  const submitted = await post(jar, `${base}/login/passkey`, {
    authz: field(passkeyForm, 'authz'),
    csrf: field(passkeyForm, 'csrf'),
    challenge: field(passkeyForm, 'challenge'),
    credential: JSON.stringify(authenticator.assert(credential, challenge)),
  });
  await submitted.arrayBuffer();
  const location = submitted.headers.get('location') ?? '';
  if (submitted.status !== 303 || !new URL(location, base).searchParams.has('code')) {
    throw new Error(`POST /login/passkey answered ${submitted.status} ${location}`);
  }
}
