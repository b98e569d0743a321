import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { parseMailbox } from './mail-config.js';

const KEK = Buffer.alloc(32, 7).toString('base64url');
const PRODUCTION = {
  NODE_ENV: 'production',
  ISSUER: 'https://id.example.com',
  CLIENTS_FILE: '/x.json',
  DATABASE_URL: 'postgres://latchkey@db.example.com/latchkey',
  KEY_ENCRYPTION_KEY: KEK,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('SMTP_URL, MAIL_FROM, SELF_REGISTRATION', () => {
  it('dev: the demo mail catcher and a local sender; sign-up off', () => {
    const config = loadConfig({});
    expect(config.mail.smtpUrl).toBe('smtp://127.0.0.1:1025');
    expect(config.mail.from).toEqual({ name: 'Latchkey', address: 'no-reply@idp.localhost' });
    expect(config.selfRegistration).toBe(false);
  });

  it('production: both required, one line each naming the variable', () => {
    expect(problemsOf(PRODUCTION)).toEqual([
      'SMTP_URL: required in production (smtp://host:port)',
      'MAIL_FROM: required in production (e.g. no-reply@example.com)',
    ]);
    const config = loadConfig({
      ...PRODUCTION,
      SMTP_URL: 'smtps://relay:s3cret@mail.example.com',
      MAIL_FROM: 'Example Sign-in <sign-in@example.com>',
    });
    expect(config.mail.from).toEqual({ name: 'Example Sign-in', address: 'sign-in@example.com' });
  });

  it.each(['http://mail.example.com', 'smtp://', 'mail.example.com:25', 'smtp:///nohost'])(
    'refuses SMTP_URL %j without echoing it',
    (url) => {
      const problems = problemsOf({ SMTP_URL: url });
      expect(problems).toEqual([
        'SMTP_URL: must be smtp://[user:password@]host[:port] or smtps://…',
      ]);
    },
  );

  it('never echoes an SMTP password', () => {
    const problems = problemsOf({ SMTP_URL: 'ftp://user:hunter2@mail.example.com' });
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it.each([
    'no-at-sign',
    'a@b@example.com',
    'Name <no-reply@example.com>\r\nBcc: victim@example.com',
    '"Quoted" <no-reply@example.com>',
    'Name <>',
  ])('refuses MAIL_FROM %j (nothing that could add a header)', (from) => {
    expect(problemsOf({ MAIL_FROM: from })[0]).toMatch(/^MAIL_FROM: /);
  });

  it('reads a bare address and a named one', () => {
    expect(parseMailbox('no-reply@example.com')).toEqual({ address: 'no-reply@example.com' });
    expect(parseMailbox(' 登录 <a@example.com> ')).toEqual({
      name: '登录',
      address: 'a@example.com',
    });
  });

  it('SELF_REGISTRATION: true or false, anything else stops start-up', () => {
    expect(loadConfig({ SELF_REGISTRATION: 'true' }).selfRegistration).toBe(true);
    expect(problemsOf({ SELF_REGISTRATION: 'yes' })).toEqual([
      'SELF_REGISTRATION: must be true or false',
    ]);
  });

  it('the account limits read like the others', () => {
    expect(loadConfig({}).rateLimits.forgotPasswordPerAccount).toEqual({
      limit: 5,
      windowMs: 15 * 60_000,
    });
    expect(
      loadConfig({ RATE_LIMIT_SIGNUP_PER_ADDRESS: 'off' }).rateLimits.signupPerAddress,
    ).toBeNull();
    expect(problemsOf({ RATE_LIMIT_FORGOT_PASSWORD_PER_ADDRESS: 'lots' })[0]).toMatch(
      /^RATE_LIMIT_FORGOT_PASSWORD_PER_ADDRESS: /,
    );
  });
});
