import {
  softwareAuthenticator,
  type SoftCredential,
} from '@latchkey/idp/src/test-support/software-authenticator.js';
import { pick, type BenchContext } from '../context.js';
import { single, type Row } from '../report/row.js';
import {
  expectCode,
  field,
  measureSignIns,
  post,
  send,
  shopAuthorizeUrl,
  type Jar,
} from './browser-session.js';
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

  const measure = (signIn: () => Promise<void>) => measureSignIns(BROWSERS, durationSec, signIn);
  context.log(`passkey sign-in: ${BROWSERS} browsers for ${durationSec} s`);
  const passkeys = await measure(() => passkeySignIn(idp.url, authenticator, credential));
  context.log(`password login: ${BROWSERS} browsers for ${durationSec} s`);
  const passwords = await measure(async () => void (await passwordSignIn(idp.url)));
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
  const authorize = shopAuthorizeUrl(base);
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
  await expectCode(submitted, base, 'POST /login/passkey');
}
