import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Verifier } from '@latchkey/sdk';
import {
  findTestPostgres,
  startTestRedis,
  waitFor,
  type TestPostgresDatabase,
  type TestRedis,
} from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  createBrowser,
  loginFormFields,
  signIn,
  type Browser,
} from '../test-support/browser.js';
import { claimsOf, SHOP } from '../test-support/grants.js';
import { runUsersCommand, startIdp, type IdpProcess } from '../test-support/idp-process.js';
import { listeningVerifier } from '../test-support/listening-verifier.js';
import { basicAuth } from '../test-support/test-idp.js';
import { createAuditLog } from '../audit/audit-trail.js';
import { parseDatabaseUrl } from '../config/database-url.js';
import { openDatabase } from '../db/open-database.js';
import { deriveUserId, importUsers } from '../users/load-users.js';
import { hashPassword } from '../users/password-hash.js';
import { createUserRepository } from '../users/user.js';
import { silentLogger } from '../logger.js';

/**
 * The operator's `users` command (built dist/cli/users.js, a process of its own) beside a
 * running IdP process, both on one PostgreSQL server database and one private redis-server:
 * what the command changes, the IdP and the SDK see at once.
 */
const KEK = Buffer.alloc(32, 7).toString('base64url');
const AT_ONCE_MS = 250;
const PASSWORD = 'sings in the rain, again';

const server = await findTestPostgres();
let database: TestPostgresDatabase;
let redis: TestRedis;
let idp: IdpProcess;
let env: Record<string, string>;
let listener: Awaited<ReturnType<typeof listeningVerifier>>;
let sdk: Verifier;

const users = (args: string[], input?: string | Buffer) => runUsersCommand(args, env, input);

describe.skipIf(!server.available)(
  'users command beside a running IdP',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      if (!server.available) return;
      database = await server.createDatabase();
      redis = await startTestRedis();
      env = { REDIS_URL: redis.url, DATABASE_URL: database.url, KEY_ENCRYPTION_KEY: KEK };
      idp = await startIdp(env);
      listener = await listeningVerifier(redis.url, idp.url);
      sdk = listener.sdk;
    }, 60_000);
    afterAll(async () => {
      await listener?.close();
      await idp?.kill();
      await redis?.kill();
      await database?.drop();
    });

    /** Signs in at the shop through the login form; the tokens /token gives. */
    async function shopTokens(
      username: string,
      password: string,
      browser: Browser = createBrowser(),
    ) {
      const result = await signIn(browser, idp.url, {
        clientId: SHOP.id,
        redirectUri: SHOP.redirectUri,
        scope: 'openid profile offline_access',
        username,
        password,
      });
      const response = await fetch(`${idp.url}/token`, {
        method: 'POST',
        headers: { Authorization: basicAuth('shop', 'shop-demo-secret') },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: result.code,
          redirect_uri: SHOP.redirectUri,
          code_verifier: result.verifier,
        }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { access_token: string; refresh_token: string };
    }

    /** The status of POST /login with these credentials on a fresh form. */
    async function loginStatus(username: string, password: string): Promise<number> {
      const browser = createBrowser();
      const start = await browser.fetch(
        authorizeUrl(idp.url, { clientId: SHOP.id, redirectUri: SHOP.redirectUri }).url,
      );
      const form = await browser.fetch(new URL(start.headers.get('location')!, idp.url));
      const fields = loginFormFields(await form.text());
      const answer = await browser.post(new URL('/login', idp.url), {
        ...fields,
        username,
        password,
      });
      return answer.status;
    }

    const outcome = (token: string) =>
      sdk.verifyAccessToken(token).then(
        () => 'valid',
        (error: unknown) => (error as { code?: string }).code ?? String(error),
      );

    async function refusedAfter(
      token: string,
      command: Promise<{ code: number | null; stderr: string }>,
    ) {
      const result = await command;
      expect(result.code, result.stderr).toBe(0);
      const returnedAt = performance.now();
      await waitFor('the SDK to refuse the token', async () => (await outcome(token)) !== 'valid', {
        timeoutMs: AT_ONCE_MS * 4,
        intervalMs: 1,
      });
      const elapsed = performance.now() - returnedAt;
      expect(await outcome(token)).toBe('ERR_TOKEN_REVOKED');
      expect(elapsed).toBeLessThan(AT_ONCE_MS);
      return elapsed;
    }

    async function refreshStatus(
      refreshToken: string,
    ): Promise<{ status: number; error: unknown }> {
      const response = await fetch(`${idp.url}/token`, {
        method: 'POST',
        headers: { Authorization: basicAuth('shop', 'shop-demo-secret') },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      return {
        status: response.status,
        error: ((await response.json()) as { error?: string }).error,
      };
    }

    it('add (password on stdin) makes a user who logs in at the running IdP', async () => {
      const added = await users(
        [
          'add',
          'Carol',
          '--email',
          'carol@example.test',
          '--name',
          'Carol Example',
          '--role',
          'user',
        ],
        `${PASSWORD}\n`,
      );
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toMatch(/^added carol \(u_[\w-]{22}\)\n$/);
      const tokens = await shopTokens('carol', PASSWORD);
      expect(await outcome(tokens.access_token)).toBe('valid');
    });

    it('disable: the SDK refuses within milliseconds, refresh dies, the login fails; enable restores', async () => {
      const tokens = await shopTokens('carol', PASSWORD);
      const elapsed = await refusedAfter(tokens.access_token, users(['disable', 'CAROL']));
      process.stdout.write(`users disable: SDK refused ${elapsed.toFixed(1)} ms after exit\n`);
      expect(await refreshStatus(tokens.refresh_token)).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
      expect(await loginStatus('carol', PASSWORD)).toBe(401);
      expect(JSON.parse((await users(['show', 'carol', '--json'])).stdout)).toMatchObject({
        state: 'disabled',
      });

      expect((await users(['enable', 'carol'])).code).toBe(0);
      expect(await outcome((await shopTokens('carol', PASSWORD)).access_token)).toBe('valid');

      // Both changes in the audit trail, with the operator who ran the command as the actor.
      const db = await openDatabase(parseDatabaseUrl(database.url)!);
      try {
        const audit = createAuditLog({ database: db, logger: silentLogger, now: Date.now });
        const carol = JSON.parse((await users(['show', 'carol', '--json'])).stdout) as {
          id: string;
        };
        const events = await audit.list({ subject: carol.id }, 20);
        const operator = { kind: 'operator', id: expect.stringMatching(/^.+@.+$/) as unknown };
        expect(events.find((e) => e.type === 'user.disabled')?.actor).toEqual(operator);
        expect(events.find((e) => e.type === 'user.enabled')?.actor).toEqual(operator);
        expect(events.find((e) => e.type === 'session.revoked')).toMatchObject({
          actor: operator,
          detail: { reason: 'user_disabled', scope: 'all_sessions' },
        });
      } finally {
        await db.close();
      }
    });

    it('set-password (stdin): tokens refused at once, old password fails, new one works', async () => {
      const tokens = await shopTokens('carol', PASSWORD);
      await refusedAfter(
        tokens.access_token,
        users(['set-password', 'carol'], 'a brand new passphrase\n'),
      );
      expect((await refreshStatus(tokens.refresh_token)).error).toBe('invalid_grant');
      expect(await loginStatus('carol', PASSWORD)).toBe(401);
      expect(await loginStatus('carol', 'a brand new passphrase')).toBe(303);
    });

    it('set-password --generate prints a password that then logs in', async () => {
      const result = await users(['set-password', 'carol', '--generate']);
      expect(result.code, result.stderr).toBe(0);
      const password = /generated password: (\S+)\n/.exec(result.stdout)![1]!;
      expect(password).toHaveLength(20);
      expect(await loginStatus('carol', password)).toBe(303);
    });

    it('set-roles: the next token carries the new roles', async () => {
      const set = await users(['set-roles', 'bob', 'user', 'auditor']);
      expect(set.code, set.stderr).toBe(0);
      const tokens = await shopTokens('bob', 'builder-bob');
      expect(claimsOf(tokens.access_token).roles).toEqual(['user', 'auditor']);
    });

    it('delete: the SDK refuses within milliseconds, the user is gone, the name is free', async () => {
      await users(['add', 'dora', '--role', 'user'], `${PASSWORD}\n`);
      const tokens = await shopTokens('dora', PASSWORD);
      await refusedAfter(tokens.access_token, users(['delete', 'dora']));
      expect((await refreshStatus(tokens.refresh_token)).error).toBe('invalid_grant');
      expect(await loginStatus('dora', PASSWORD)).toBe(401);
      const shown = await users(['show', 'dora']);
      expect(shown.code).toBe(1);
      expect(shown.stderr).toContain('no user named "dora"');
    });

    it('delete is remembered: USERS_FILE skips the user, warning; `add` takes it back', async () => {
      const seed = {
        id: deriveUserId('dora'),
        username: 'dora',
        passwordHash: await hashPassword('dora from the seed file'),
        roles: ['user'],
      };
      const db = await openDatabase(parseDatabaseUrl(database.url)!);
      try {
        const directory = createUserRepository(db);
        const warnings: string[] = [];
        const warn = (event: string, fields: Record<string, string>) =>
          warnings.push(`${event} ${fields.user}: ${fields.detail}`);
        // Deleted by the command above: the next start's import leaves dora out, and says so.
        expect(await importUsers(directory, [seed], { warn })).toBe(0);
        expect(await directory.findByUsername('dora')).toBeNull();
        expect(warnings).toEqual([
          'users.file_entry_ignored dora: deleted by an operator: it stays deleted; ' +
            'remove it from USERS_FILE',
        ]);
        const added = await users(['add', 'dora', '--role', 'user'], `${PASSWORD}\n`);
        expect(added.code, added.stderr).toBe(0);
        expect(await directory.importSeed!(seed)).toBe('exists');
        expect(await importUsers(directory, [seed], { warn })).toBe(0);
        expect(warnings).toHaveLength(1);
      } finally {
        await db.close();
      }
      expect((await users(['delete', 'dora'])).code).toBe(0);
    });

    it('list: a table, --json, --search, and pages through --limit and --after', async () => {
      const table = await users(['list']);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^USERNAME\s+STATE\s+ROLES\s+EMAIL\s+ID\n/);
      expect(table.stdout).toMatch(/\nalice\s+active\s+admin\s+alice@example\.com/);
      expect(table.stdout).not.toContain('argon2');

      const all = JSON.parse((await users(['list', '--json'])).stdout) as {
        users: Array<Record<string, unknown>>;
        next: string | null;
      };
      expect(all.users.map((user) => user.username)).toEqual(['alice', 'bob', 'carol']);
      expect(all.next).toBeNull();
      expect(Object.keys(all.users[0]!)).not.toContain('password_hash');

      const found = JSON.parse(
        (await users(['list', '--json', '--search', 'EXAMPLE.COM'])).stdout,
      ) as { users: Array<{ username: string }> };
      expect(found.users.map((user) => user.username)).toEqual(['alice', 'bob']);

      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page = JSON.parse(
          (await users(['list', '--json', '--limit', '2', ...(after ? ['--after', after] : [])]))
            .stdout,
        ) as { users: Array<{ username: string }>; next: string | null };
        seen.push(...page.users.map((user) => user.username));
        after = page.next;
      } while (after !== null);
      expect(seen).toEqual(['alice', 'bob', 'carol']);
      expect((await users(['list', '--limit', '1'])).stdout).toContain(
        'more: users list --after alice',
      );
    });

    it('show by username in any spelling, or by id', async () => {
      const byName = JSON.parse((await users(['show', 'ＡＬＩＣＥ', '--json'])).stdout) as {
        id: string;
      };
      const byId = await users(['show', byName.id]);
      expect(byId.code).toBe(0);
      expect(byId.stdout).toMatch(/^id:\s+\S+\nusername:\s+alice\n/);
    });

    describe('refusals: a clear line, the right exit code, nothing changed', () => {
      it.each([
        [['add', 'carol'], `${PASSWORD}\n`, 1, 'username is taken'],
        [['add', 'ＣＡＲＯＬ'], `${PASSWORD}\n`, 1, 'username is taken'],
        [['add', 'carol'], undefined, 1, 'username is taken'],
        [
          ['add', 'erin', '--email', 'ALICE@example.com'],
          `${PASSWORD}\n`,
          1,
          'email address belongs',
        ],
        [['add', 'erin', '--email', 'not-an-email'], `${PASSWORD}\n`, 1, 'email'],
        [
          ['add', 'erin', '--email', `${'x'.repeat(10_240)}@example.test`],
          `${PASSWORD}\n`,
          1,
          'email',
        ],
        [['add', 'has space'], `${PASSWORD}\n`, 1, 'username'],
        [['add', 'erin'], 'seven77\n', 1, 'too short'],
        [['add', 'erin'], `${'x'.repeat(129)}\n`, 1, 'too long'],
        [['add', 'erin'], `${'y'.repeat(100_000)}\n`, 1, 'standard input is too long'],
        [['add', 'erin'], 'nul\u0000inside-it\n', 1, 'NUL'],
        [['add', 'erin'], 'password\n', 1, 'commonly used'],
        [['add', 'erin'], 'erin-is-my-name\n', 1, 'contains the username'],
        [['add', 'erin'], 'two\nlines\n', 1, 'more than one line'],
        [['add', 'erin'], '', 1, 'no password on standard input'],
        [['add', 'erin'], undefined, 1, 'no password on standard input'],
        [
          ['add', 'erin'],
          Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47]),
          1,
          'UTF-8',
        ],
        [
          ['add', 'erin', '--password', 'on-argv-never'],
          undefined,
          2,
          "Unknown option '--password'",
        ],
        [['add', 'erin', '--generate', '--no-password'], undefined, 2, 'exclude each other'],
        [['set-password', 'nobody-here'], `${PASSWORD}\n`, 1, 'no user named'],
        [['set-password', 'alice'], 'short\n', 1, 'too short'],
        [['disable', 'nobody-here'], undefined, 1, 'no user named'],
        [['set-roles', 'bob'], undefined, 2, '--none'],
        [['set-roles', 'bob', 'has space'], undefined, 1, 'roles'],
        [['list', '--limit', '0'], undefined, 2, '--limit'],
        [['list', '--limit', 'ten'], undefined, 2, '--limit'],
        [['list', 'extra'], undefined, 2, 'usage'],
        [['wipe'], undefined, 2, 'usage'],
        [[], undefined, 2, 'usage'],
        [['__proto__'], undefined, 2, 'usage'],
        [['show'], undefined, 2, 'usage'],
      ] as Array<[string[], string | Buffer | undefined, number, string]>)(
        'users %j (case %#)',
        async (args, input, code, message) => {
          const result = await users(args, input);
          expect(result.stderr).toContain(message);
          expect(result.code).toBe(code);
          expect(result.stderr).not.toMatch(/\n\s+at /);
        },
      );

      it('nothing above created erin or changed alice', async () => {
        expect((await users(['show', 'erin'])).code).toBe(1);
        expect(await loginStatus('alice', 'wonderland-alice')).toBe(303);
        expect(JSON.parse((await users(['show', 'bob', '--json'])).stdout).roles).toEqual([
          'user',
          'auditor',
        ]);
      });

      it("a store inside one process cannot be the IdP's: exit 2 before anything is read", async () => {
        const memoryRedis = await runUsersCommand(['disable', 'alice'], {
          ...env,
          REDIS_URL: 'memory://',
        });
        expect(memoryRedis.code).toBe(2);
        expect(memoryRedis.stderr).toContain('REDIS_URL=memory://');
        const memoryDatabase = await runUsersCommand(['list'], {
          ...env,
          DATABASE_URL: 'pglite://memory',
        });
        expect(memoryDatabase.code).toBe(2);
        expect(await loginStatus('alice', 'wonderland-alice')).toBe(303);
      });

      it('the database unreachable: exit 1 with one line, no stack trace', async () => {
        const result = await runUsersCommand(['list'], {
          ...env,
          DATABASE_URL: 'postgres://postgres@127.0.0.1:1/latchkey',
        });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^users: .+\n$/);
      });
    });
  },
);

describe('users command beside an IdP on an embedded database folder', { timeout: 120_000 }, () => {
  // The folder belongs to the running IdP (db/pglite-folder-lock.ts): a second process opening
  // it would work on its own copy, whose writes the IdP never sees and may overwrite.
  it('is refused with exit 1 and a line naming the holder; the IdP is untouched', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'latchkey-users-folder-'));
    const localRedis = await startTestRedis();
    const folderEnv = { REDIS_URL: localRedis.url, DATABASE_URL: `pglite://${folder}` };
    const running = await startIdp(folderEnv);
    try {
      for (const args of [['list'], ['disable', 'bob']]) {
        const result = await runUsersCommand(args, folderEnv);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`is in use by process ${running.pid}`);
      }
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    } finally {
      await running.kill();
      await localRedis.kill();
    }
    // Stopped, the IdP gave the folder back: the command works on it.
    const listed = await runUsersCommand(['list', '--json'], folderEnv);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { users: unknown[] }).users).toHaveLength(2);
    await rm(folder, { recursive: true, force: true });
  });
});

// Keeps the file from failing as "no tests" when the server is missing locally.
it.runIf(!server.available)('says why the command tests were skipped', () => {
  expect(server.available).toBe(false);
});
