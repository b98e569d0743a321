import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser } from '../../test-support/account-flows.js';
import { admin, opsToken, problemKind } from '../../test-support/admin-api.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
let token: string;
beforeAll(async () => {
  idp = await startTestIdp();
  token = await opsToken(idp);
});
afterAll(() => idp.close());

const call = (method: string, path: string) => admin(idp, token, method, path);
type Page = { items: { sid: string; user_id: string }[]; next_cursor: string | null };

async function userWithSessions(count: number) {
  const user = await createTestUser(idp, { prefix: 'sess' });
  const sessions = [];
  for (let index = 0; index < count; index += 1) {
    sessions.push(
      await idp.sessions.create({ sub: user.id, username: user.username }, Date.now() + index),
    );
  }
  return { user, sessions };
}

describe('admin sessions', () => {
  it("lists a user's sessions page by page, newest first, both ways", async () => {
    const { user, sessions } = await userWithSessions(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const answer = await call(
        'GET',
        `/users/${user.id}/sessions?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(answer.status).toBe(200);
      const page = answer.body as Page;
      seen.push(...page.items.map((item) => item.sid));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(sessions.map((session) => session.sid).reverse());
    const byQuery = (await call('GET', `/sessions?user_id=${user.id}`)).body as Page;
    expect(byQuery.items.map((item) => item.sid)).toEqual(seen);
  });

  it('shows a session, revokes it (audited with the client), then it is gone', async () => {
    const { user, sessions } = await userWithSessions(2);
    const [first, second] = sessions;
    const shown = await call('GET', `/sessions/${first!.sid}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ sid: first!.sid, user_id: user.id, amr: ['pwd'] });
    expect((await call('DELETE', `/sessions/${first!.sid}`)).status).toBe(204);
    expect((await call('GET', `/sessions/${first!.sid}`)).status).toBe(404);
    expect(await idp.sessions.find(second!.sid, Date.now())).not.toBeNull();
    const [event] = await idp.audit.list({ subject: user.id, type: 'session.revoked' }, 1);
    expect(event).toMatchObject({ actor: { kind: 'client', id: 'ops' }, session: first!.sid });
  });

  it('revokes every session of a user at once', async () => {
    const { user } = await userWithSessions(3);
    const answer = await call('DELETE', `/users/${user.id}/sessions`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ revoked: 3 });
    expect(((await call('GET', `/users/${user.id}/sessions`)).body as Page).items).toEqual([]);
  });

  it('answers problems for unknown users and sessions, a missing user_id, a forged cursor', async () => {
    for (const [method, path, status] of [
      ['GET', '/sessions/no-such-sid', 404],
      ['DELETE', '/sessions/no-such-sid', 404],
      ['GET', '/users/nobody/sessions', 404],
      ['DELETE', '/users/nobody/sessions', 404],
      ['GET', '/sessions', 400],
      ['GET', '/sessions?user_id=', 400],
    ] as const) {
      const answer = await call(method, path);
      expect(answer.status, `${method} ${path}`).toBe(status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const { user } = await userWithSessions(1);
    const forged = await call('GET', `/users/${user.id}/sessions?cursor=abc.${'A'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(problemKind(forged)).toBe('invalid-request');
  });
});
