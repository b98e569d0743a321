import { describe, expect, it } from 'vitest';
import type { Locale } from '../i18n/locales.js';
import { createAccountMailer } from '../mail/account-mailer.js';
import type { MailMessage } from '../mail/mail-message.js';
import type { Outbox } from '../mail/outbox.js';
import { secondFactorNotice } from './second-factor-notice.js';

function capture() {
  const sent: MailMessage[] = [];
  const outbox: Outbox = {
    enqueue: (message) => sent.push(message) > 0,
    idle: () => Promise.resolve(),
    close: () => undefined,
  };
  const notice = secondFactorNotice({
    mailer: createAccountMailer(outbox),
    issuer: 'http://idp.localhost:4000',
    now: () => Date.UTC(2026, 11, 3, 18, 0),
  });
  return { sent, notice };
}

describe('the second-factor notice mail', () => {
  it.each<[Locale, string, string]>([
    ['en', 'Your Latchkey two-step verification changed', 'An authenticator app was added'],
    ['zh-CN', '你的 Latchkey 两步验证设置已更改', '添加了身份验证器应用'],
  ])('in %s, says what changed and links to the password reset', (locale, subject, body) => {
    const { sent, notice } = capture();
    notice({ username: 'bob', email: 'bob@example.com' }, 'totp_added', locale);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe('bob@example.com');
    expect(sent[0]!.subject).toBe(subject);
    expect(sent[0]!.text).toContain(body);
    expect(sent[0]!.text).toContain('http://idp.localhost:4000/forgot-password');
  });

  it('sends nothing to a user without an address', () => {
    const { sent, notice } = capture();
    notice({ username: 'bob' }, 'reset', 'en');
    expect(sent).toHaveLength(0);
  });
});
