import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/translate.js';
import { renderPasskeyMail } from './passkey-notice.js';

const at = new Date('2026-12-03T13:32:00Z');
const link = 'http://idp.localhost:4000/account/passkeys';

describe('passkey notices', () => {
  it('says in English which passkey was added, when, and where to look', () => {
    const mail = renderPasskeyMail(
      { change: 'added', name: 'Work <laptop>', username: 'alice', at },
      link,
      'alice@example.com',
      translator('en'),
    );
    expect(mail.subject).toBe('A passkey was added to your Latchkey account');
    expect(mail.text).toContain(
      '“Work <laptop>” was added to your account at 2026-12-03 13:32 UTC',
    );
    expect(mail.text).toContain(link);
    expect(mail.html).toContain('Work &lt;laptop&gt;');
    expect(mail.html).not.toContain('<laptop>');
    expect(mail.language).toBe('en');
  });

  it('speaks Chinese for a removal made from a Chinese page', () => {
    const mail = renderPasskeyMail(
      { change: 'removed', name: '手机', username: 'alice', at },
      link,
      'alice@example.com',
      translator('zh-CN'),
    );
    expect(mail.subject).toBe('你的 Latchkey 账户移除了一个通行密钥');
    expect(mail.text).toContain('通行密钥“手机”已于 2026-12-03 13:32 UTC 从你的账户移除。');
    expect(mail.language).toBe('zh-CN');
  });
});
