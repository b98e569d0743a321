import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, opsToken } from '../../test-support/admin-api.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
let token: string;
beforeAll(async () => {
  idp = await startTestIdp();
  token = await opsToken(idp);
});
afterAll(() => idp.close());

type Keys = { items: { kid: string; alg: string; state: string; created_at: string }[] };

describe('admin keys', () => {
  it('lists keys with state and dates', async () => {
    const answer = await admin(idp, token, 'GET', '/keys');
    expect(answer.status).toBe(200);
    const { items } = answer.body as Keys;
    expect(items.some((key) => key.state === 'active' && key.alg === 'ES256')).toBe(true);
    expect(items.every((key) => !Number.isNaN(Date.parse(key.created_at)))).toBe(true);
  });

  it('rotates (audited with the client) and revokes; an unknown kid is a 404 problem', async () => {
    const before = (await admin(idp, token, 'GET', '/keys')).body as Keys;
    const active = before.items.filter((key) => key.state === 'active').map((key) => key.kid);
    const rotated = await admin(idp, token, 'POST', '/keys/rotate');
    expect(rotated.status).toBe(200);
    const after = (rotated.body as Keys).items;
    for (const kid of active) expect(after.find((key) => key.kid === kid)?.state).toBe('retired');
    const [event] = await idp.audit.list({ type: 'key.rotated' }, 1);
    expect(event?.actor).toEqual({ kind: 'client', id: 'ops' });

    // Revoking the ES256 key that signs: tokens it signed (ours) stop working at once.
    const signing = after.find((key) => key.state === 'active' && key.alg === 'ES256')!;
    const fresh = await opsToken(idp);
    const revoked = await admin(idp, fresh, 'POST', `/keys/${signing.kid}/revoke`);
    expect(revoked.status).toBe(200);
    expect((revoked.body as Keys).items.find((key) => key.kid === signing.kid)?.state).toBe(
      'revoked',
    );
    expect((await admin(idp, fresh, 'GET', '/keys')).status).toBe(401);

    // Its replacement signs at once, unpublished before: the admin API trusts it within ~1 s
    // (its key-set cooldown), not the 30 s a resource server's default allows.
    const next = await opsToken(idp);
    const deadline = Date.now() + 3_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await admin(idp, next, 'GET', '/keys')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    const unknown = await admin(idp, next, 'POST', '/keys/no-such-kid/revoke');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
