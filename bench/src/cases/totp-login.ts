import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeStep, totpCodeAt } from '@latchkey/idp/dist/mfa/totp-code.js';
import { sleep, startTestRedis } from '@latchkey/testing';
import { pick, type BenchContext } from '../context.js';
import { single, type Row } from '../report/row.js';
import { startBenchIdp, USERS_FILE } from '../services/idp.js';
import {
  expectCode,
  field,
  measureSignIns,
  post,
  send,
  shopAuthorizeUrl,
} from './browser-session.js';
import { signIn as passwordSignIn } from './login.js';

/** Concurrent browsers signing in, as in the password and passkey login cases. */
const BROWSERS = 4;
const PASSWORD = 'bench-totp-login-password';
/** How often a browser with no user to take looks again. */
const RETRY_MS = 200;
/** From choosing a code to the IdP checking it: the code must still be in its window then. */
const IN_FLIGHT_MS = 2_000;

interface TotpUser {
  username: string;
  secret: string;
  /** The last time step whose code was used: the IdP takes each step once (no replay). */
  lastStep: number;
}

/**
 * Password + TOTP logins next to password logins alone, the same browsers, the full code flow:
 * /authorize, the form, POST /login (Argon2id), the second step's page, POST the code
 * (RFC 6238, ±1 step), redirect with a code. The IdP accepts each step of a user's TOTP once
 * (a replayed code is refused), so one user signs in at most once per 30-s step after a first
 * few: the browsers take users in turn from a pool, and a case of its own (IdP, Redis and a
 * users file with the pool) keeps these users out of the shared IdP.
 */
export async function totpLoginCase(context: BenchContext): Promise<Row[]> {
  const durationSec = pick(context, 6, 3);
  // Each user gives at most three codes at first (the steps the window holds), then one per
  // 30 s: at ~30 logins a second for 6 s, 64 users left the browsers waiting most of the run.
  const poolSize = pick(context, 256, 64);
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-bench-totp-'));
  const redis = await startTestRedis();
  try {
    const usersFile = join(dir, 'users.json');
    const demo = JSON.parse(await readFile(USERS_FILE, 'utf8')) as object[];
    const names = Array.from({ length: poolSize }, (_, i) => `totp-bench-${i}`);
    await writeFile(
      usersFile,
      JSON.stringify([
        ...demo,
        ...names.map((username) => ({ username, password: PASSWORD, roles: ['user'] })),
      ]),
    );
    const idp = await startBenchIdp(redis.url, { env: { USERS_FILE: usersFile } });
    try {
      context.log(`TOTP login: enrolling ${poolSize} users`);
      const pool: TotpUser[] = [];
      for (let i = 0; i < names.length; i += BROWSERS) {
        const batch = names.slice(i, i + BROWSERS);
        pool.push(...(await Promise.all(batch.map((name) => enrol(idp.url, name)))));
      }
      const users = takeTurns(pool);
      await users.with((user) => totpSignIn(idp.url, user)); // warm

      context.log(`TOTP login: ${BROWSERS} browsers for ${durationSec} s`);
      const totp = await measureSignIns(BROWSERS, durationSec, () =>
        users.with((user) => totpSignIn(idp.url, user)),
      );
      context.log(`password login: ${BROWSERS} browsers for ${durationSec} s`);
      const passwords = await measureSignIns(BROWSERS, durationSec, async () => {
        await passwordSignIn(idp.url);
      });
      const waited = users.waitedMs();
      return [
        {
          case: `TOTP login (password + code), ${BROWSERS} browsers`,
          latchkey: single(totp.perSecond, '/s', totp.total),
          peer: {
            name: 'password login (Argon2id), same browsers',
            figure: single(passwords.perSecond, '/s', passwords.total),
          },
          target: '–',
          met: null,
          note:
            'each: /authorize, GET /login, POST /login, GET and POST /login/second-factor, redirect with a code' +
            (waited > 0
              ? `; browsers waited ${Math.round(waited)} ms for a user (pool too small)`
              : ''),
        },
      ];
    } finally {
      await idp.stop();
    }
  } finally {
    await redis.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The code for `user`'s earliest unused step that the IdP's window (±1 step) holds both now
 * and when the code arrives; undefined while that step lies beyond the window.
 */
function nextCode(user: TotpUser): string | undefined {
  const now = Date.now();
  const step = Math.max(user.lastStep + 1, timeStep(now + IN_FLIGHT_MS) - 1);
  if (step > timeStep(now) + 1) return undefined;
  user.lastStep = step;
  return totpCodeAt(user.secret, step);
}

/** Users in turn, each to one browser at a time, skipping those with no code to give yet. */
function takeTurns(pool: TotpUser[]) {
  const idle = [...pool];
  let waited = 0;
  return {
    async with(signIn: (user: TotpUser & { code: string }) => Promise<void>): Promise<void> {
      const started = performance.now();
      let slept = false;
      for (;;) {
        const index = idle.findIndex((user) => user.lastStep <= timeStep(Date.now()));
        const user = index < 0 ? undefined : idle.splice(index, 1)[0]!;
        const code = user && nextCode(user);
        if (user && code !== undefined) {
          if (slept) waited += performance.now() - started;
          try {
            return await signIn({ ...user, code });
          } finally {
            idle.push(user);
          }
        }
        if (user) idle.push(user);
        slept = true;
        await sleep(RETRY_MS);
      }
    },
    waitedMs: () => waited,
  };
}

/** Signs `username` in at /account and enrols a TOTP there, as the account page does. */
async function enrol(base: string, username: string): Promise<TotpUser> {
  const jar = new Map<string, string>();
  const toLogin = await send(jar, `${base}/account/two-factor/totp`);
  const form = await (await send(jar, new URL(toLogin.headers.get('location') ?? '', base))).text();
  await (
    await post(jar, `${base}/login`, {
      authz: field(form, 'authz'),
      csrf: field(form, 'csrf'),
      username,
      password: PASSWORD,
    })
  ).arrayBuffer();
  const page = await (await send(jar, `${base}/account/two-factor/totp`)).text();
  const secret = /data-totp-secret="([A-Z2-7]+)"/.exec(page)?.[1];
  if (secret === undefined) throw new Error(`no TOTP secret on ${username}'s enrolment page`);
  const user: TotpUser = { username, secret, lastStep: -1 };
  const done = await post(jar, `${base}/account/two-factor/totp`, {
    csrf: field(page, 'csrf'),
    code: nextCode(user)!,
  });
  await done.arrayBuffer();
  if (done.status !== 200) throw new Error(`enrolling ${username}'s TOTP answered ${done.status}`);
  return user;
}

/** One password + TOTP sign-in to the shop; throws unless it ends with a code. */
async function totpSignIn(base: string, user: TotpUser & { code: string }): Promise<void> {
  const jar = new Map<string, string>();
  const toLogin = await send(jar, shopAuthorizeUrl(base));
  const form = await (await send(jar, new URL(toLogin.headers.get('location') ?? '', base))).text();
  const afterPassword = await post(jar, `${base}/login`, {
    authz: field(form, 'authz'),
    csrf: field(form, 'csrf'),
    username: user.username,
    password: PASSWORD,
  });
  await afterPassword.arrayBuffer();
  const step = new URL(afterPassword.headers.get('location') ?? '', base);
  if (afterPassword.status !== 303 || step.pathname !== '/login/second-factor') {
    throw new Error(`POST /login answered ${afterPassword.status} ${step.pathname}`);
  }
  const page = await (await send(jar, step)).text();
  const submitted = await post(jar, `${base}/login/second-factor`, {
    step: field(page, 'step'),
    csrf: field(page, 'csrf'),
    code: user.code,
  });
  await expectCode(submitted, base, 'POST /login/second-factor');
}
