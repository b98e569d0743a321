import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/** Every account change is in the audit trail with the actor the door named. */

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(() => idp.close());

describe('account changes in the audit trail', () => {
  it('each change once, in order, with its actor; no password anywhere', async () => {
    const admin = { actor: { kind: 'operator' as const, id: 'ops@host' } };
    const password = 'a long and unusual passphrase 7';
    const user = await idp.accounts.add({ username: 'audited', roles: ['staff'], password }, admin);
    await idp.accounts.setRoles(user.id, ['staff', 'editor'], admin);
    const self = {
      actor: { kind: 'user' as const, id: user.id },
      request: { address: '192.0.2.9' },
    };
    await idp.accounts.setPassword(user.id, `${password}, changed`, {
      ...self,
      via: 'account_page',
    });
    await idp.accounts.disable(user.id, admin);
    await idp.accounts.enable(user.id, admin);
    await idp.accounts.remove(user.id);

    const events = (await idp.audit.list({ subject: user.id }, 50)).reverse();
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['user.created', admin.actor],
      ['user.roles_changed', admin.actor],
      // The sessions a change ends are ended by whoever made it.
      ['session.revoked', self.actor],
      ['user.password_changed', self.actor],
      ['session.revoked', admin.actor],
      ['user.disabled', admin.actor],
      ['user.enabled', admin.actor],
      ['session.revoked', { kind: 'system' }],
      ['user.deleted', { kind: 'system' }],
    ]);
    expect(events[1]!.detail).toEqual({ roles: 'staff editor' });
    expect(events[3]).toMatchObject({ address: '192.0.2.9', detail: { via: 'account_page' } });
    const dump = JSON.stringify(await idp.database.query('SELECT * FROM audit_events'));
    expect(dump).not.toContain('unusual passphrase');
  });
});
