import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript, runUsersCommand } from '../test-support/idp-process.js';
import { linkIn, startSmtpCapture, type SmtpCapture } from '@latchkey/testing';

/**
 * `users invite EMAIL` and `users reset-link USER` as an operator runs them: the built
 * command, a process of its own, on an embedded database in a folder and a real SMTP server.
 */
let smtp: SmtpCapture;
let folder: string;
let env: Record<string, string>;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  folder = await mkdtemp(join(tmpdir(), 'latchkey-links-'));
  env = {
    DATABASE_URL: `pglite://${join(folder, 'db')}`,
    SMTP_URL: smtp.url,
    ISSUER: 'http://idp.localhost:4000',
  };
  const migrated = await runScript('cli/db.js', ['migrate'], env);
  expect(migrated.code).toBe(0);
}, 120_000);
afterAll(async () => {
  await smtp?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('users invite and users reset-link', { timeout: 120_000 }, () => {
  it('invite: a pending user and a mail whose link is on ISSUER; then reset-link prints a new one', async () => {
    const invited = await runUsersCommand(
      ['invite', 'Newcomer@Example.com', '--role', 'user', '--lang', 'zh-CN'],
      env,
    );
    expect(invited.stderr).toBe('');
    expect(invited.code).toBe(0);
    expect(invited.stdout).toContain('invited newcomer@example.com');
    const mail = await smtp.waitFor('newcomer@example.com');
    expect(mail.subject).toBe('你的 Latchkey 账号已创建');
    expect(linkIn(mail, '/reset-password').origin).toBe('http://idp.localhost:4000');

    const shown = await runUsersCommand(['show', 'newcomer@example.com'], env);
    expect(shown.stdout).toMatch(/pending/);

    const link = await runUsersCommand(['reset-link', 'NEWCOMER@example.com'], env);
    expect(link.code).toBe(0);
    expect(link.stdout.trim()).toMatch(
      /^http:\/\/idp\.localhost:4000\/reset-password\?token=[A-Za-z0-9_-]{43}$/,
    );
    expect(link.stderr).toContain('valid 30 minutes');
  });

  it('refuses what it cannot do, exit 1 with one line: unknown user, taken or bad address', async () => {
    const unknown = await runUsersCommand(['reset-link', 'nobody'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('users: no user named "nobody"\n');
    const bad = await runUsersCommand(['invite', 'not-an-address'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^users: email: /);
    await runUsersCommand(['invite', 'twice@example.com'], env);
    const again = await runUsersCommand(['invite', 'twice@example.com'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^users: /);
    const lang = await runUsersCommand(['invite', 'x@example.com', '--lang', 'fr'], env);
    expect(lang.code).toBe(2);
  });

  it('a mail server that refuses: the user stays invited, the operator is told what to do', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const result = await runUsersCommand(['invite', 'unlucky@example.com'], {
      ...env,
      SMTP_URL: `smtp://user:hunter2@127.0.0.1:${port}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('could not be sent');
    expect(result.stderr).toContain('users reset-link');
    expect(result.stderr).not.toContain('hunter2');
  });
});
