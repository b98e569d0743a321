import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, opsToken, problemKind, type AdminAnswer } from '../../test-support/admin-api.js';
import { startTestIdp, type TestIdp } from '../../test-support/test-idp.js';

let idp: TestIdp;
let token: string;
beforeAll(async () => {
  idp = await startTestIdp();
  token = await opsToken(idp);
});
afterAll(() => idp.close());

const call = (method: string, path: string, options?: Parameters<typeof admin>[4]) =>
  admin(idp, token, method, path, options);
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const create = async (body: Record<string, unknown> = {}) => {
  const username = unique('adm');
  const answer = await call('POST', '/users', {
    body: { username, email: `${username}@example.com`, roles: ['user'], ...body },
  });
  expect(answer.status).toBe(201);
  return answer.body as { id: string; username: string; email: string };
};
const expectProblem = (answer: AdminAnswer, status: number, kind?: string) => {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  if (kind) expect(problemKind(answer)).toBe(kind);
};

describe('admin users', () => {
  it('creates, shows, updates, disables, enables and deletes, each audited with the client', async () => {
    const user = await create({ name: 'Ada' });
    const shown = await call('GET', `/users/${user.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ username: user.username, name: 'Ada', state: 'active' });
    expect(shown.body).not.toHaveProperty('password_hash');
    expect(shown.headers.get('etag')).toMatch(/^"v\d+"$/);

    const patched = await call('PATCH', `/users/${user.id}`, {
      body: { name: 'Ada L.', roles: ['user', 'editor'] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Ada L.', roles: ['user', 'editor'] });

    expect((await call('POST', `/users/${user.id}/disable`)).body).toMatchObject({
      state: 'disabled',
    });
    expect((await call('POST', `/users/${user.id}/enable`)).body).toMatchObject({
      state: 'active',
    });
    expect((await call('DELETE', `/users/${user.id}`)).status).toBe(204);
    expectProblem(await call('GET', `/users/${user.id}`), 404, 'not-found');

    const events = await idp.audit.list({ subject: user.id }, 50);
    expect(events.map((event) => event.type).sort()).toEqual(
      expect.arrayContaining([
        'user.created',
        'user.updated',
        'user.disabled',
        'user.enabled',
        'user.deleted',
      ]),
    );
    for (const event of events.filter((e) => e.type.startsWith('user.'))) {
      expect(event.actor).toEqual({ kind: 'client', id: 'ops' });
    }
  });

  it('gives a reset link and resets second factors', async () => {
    const user = await create();
    const link = await call('POST', `/users/${user.id}/reset-link`);
    expect(link.status).toBe(201);
    expect(link.body).toMatchObject({ purpose: 'reset' });
    expect(String(link.body!.url)).toMatch(/\/reset-password/);
    expect(link.headers.get('cache-control')).toBe('no-store');
    expect((await call('POST', `/users/${user.id}/reset-mfa`)).status).toBe(204);
    const types = (await idp.audit.list({ subject: user.id }, 50)).map((event) => event.type);
    expect(types).toContain('user.reset_link_issued');
    expect(types).toContain('user.second_factors_reset');
  });

  it('pages through a search with limit and cursor, never repeating a user', async () => {
    const tag = unique('page');
    for (let index = 0; index < 5; index += 1) await create({ username: `${tag}-${index}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/users?search=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call('GET', query);
      expect(page.status).toBe(200);
      const body = page.body as { items: { username: string }[]; next_cursor: string | null };
      seen.push(...body.items.map((item) => item.username));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((index) => `${tag}-${index}`));
  });

  it('refuses huge pages, negative limits, and negative or forged cursors', async () => {
    expectProblem(await call('GET', '/users?limit=201'), 400, 'invalid-request');
    expectProblem(await call('GET', '/users?limit=1000000'), 400);
    expectProblem(await call('GET', '/users?limit=-1'), 400);
    expectProblem(await call('GET', '/users?limit=0'), 400);
    expectProblem(await call('GET', '/users?limit=abc'), 400);
    expectProblem(await call('GET', '/users?cursor=-1'), 400);
    const forged = `${Buffer.from('alice').toString('base64url')}.${'A'.repeat(43)}`;
    expectProblem(await call('GET', `/users?cursor=${forged}`), 400);
    // A real cursor of another search is refused too: it is bound to its listing.
    const tag = unique('bind');
    await create({ username: `${tag}-a` });
    await create({ username: `${tag}-b` });
    const page = await call('GET', `/users?search=${tag}&limit=1`);
    const cursor = (page.body as { next_cursor: string }).next_cursor;
    expectProblem(await call('GET', `/users?search=other&limit=1&cursor=${cursor}`), 400);
    expectProblem(await call('GET', '/users?limit=1&limit=2'), 400);
  });

  it('takes SQL metacharacters and unicode in search terms literally', async () => {
    const weird = await create({ name: "O'Brien; DROP TABLE users;--" });
    for (const term of [
      "'",
      "'; DROP TABLE users;--",
      '%',
      '_',
      '\\',
      '"',
      'ñ',
      '名前',
      '\u0000',
      '😀',
    ]) {
      const answer = await call('GET', `/users?search=${encodeURIComponent(term)}`);
      expect(answer.status, term).toBe(200);
    }
    const found = await call('GET', `/users?search=${encodeURIComponent("O'Brien; DROP")}`);
    expect((found.body as { items: { id: string }[] }).items.map((u) => u.id)).toContain(weird.id);
    const percent = await call('GET', '/users?search=%25');
    expect((percent.body as { items: unknown[] }).items).toEqual([]);
    const unicodeUser = await create({ name: 'Zoë 名前' });
    const byName = await call('GET', `/users?search=${encodeURIComponent('名前')}`);
    expect((byName.body as { items: { id: string }[] }).items.map((u) => u.id)).toContain(
      unicodeUser.id,
    );
    expectProblem(await call('GET', `/users?search=${'x'.repeat(201)}`), 400);
  });

  it('refuses malformed JSON, non-JSON bodies, unknown fields and bad values', async () => {
    expectProblem(await call('POST', '/users', { body: '{"username": ' }), 400);
    expectProblem(await call('POST', '/users', { body: '[1,2]' }), 400);
    expectProblem(
      await call('POST', '/users', {
        body: 'username=x',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'unsupported-media-type',
    );
    const unknown = await call('POST', '/users', {
      body: { username: unique('u'), admin: true, password_hash: 'x' },
    });
    expectProblem(unknown, 400);
    expect(unknown.body!.errors).toEqual([
      { pointer: '/admin', detail: 'unknown field' },
      { pointer: '/password_hash', detail: 'unknown field' },
    ]);
    expectProblem(await call('POST', '/users', { body: { username: 42 } }), 400);
    expectProblem(await call('POST', '/users', { body: {} }), 400);
    expectProblem(await call('POST', '/users', { body: { username: 'bad name!' } }), 400);
    expectProblem(
      await call('POST', '/users', { body: { username: unique('u'), password: 'short' } }),
      400,
    );
    expectProblem(await call('POST', '/users', { body: { username: 'x'.repeat(20_000) } }), 413);
    const user = await create();
    expectProblem(await call('PATCH', `/users/${user.id}`, { body: { username: 'new' } }), 400);
    expectProblem(await call('PATCH', `/users/${user.id}`, { body: { email: 'nope' } }), 400);
    expectProblem(await call('PATCH', '/users/nobody', { body: { name: 'x' } }), 404);
  });

  it('answers 409 for a taken username or email', async () => {
    const user = await create();
    expectProblem(
      await call('POST', '/users', { body: { username: user.username } }),
      409,
      'username-taken',
    );
    const other = await create();
    expectProblem(
      await call('PATCH', `/users/${other.id}`, { body: { email: user.email } }),
      409,
      'email-taken',
    );
  });

  it('applies If-Match: a stale ETag is a 412 and changes nothing', async () => {
    const user = await create({ name: 'first' });
    const etag = (await call('GET', `/users/${user.id}`)).headers.get('etag')!;
    const first = await call('PATCH', `/users/${user.id}`, {
      body: { name: 'second' },
      headers: { 'If-Match': etag },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).not.toBe(etag);
    const stale = await call('PATCH', `/users/${user.id}`, {
      body: { name: 'third' },
      headers: { 'If-Match': etag },
    });
    expectProblem(stale, 412, 'precondition-failed');
    expectProblem(
      await call('PATCH', `/users/${user.id}`, {
        body: { name: 'x' },
        headers: { 'If-Match': '"garbage"' },
      }),
      412,
    );
    expect((await call('GET', `/users/${user.id}`)).body).toMatchObject({ name: 'second' });
  });

  it('two concurrent PATCHes of one user with the same ETag: one wins, the other is a 412', async () => {
    const user = await create({ name: 'before' });
    const etag = (await call('GET', `/users/${user.id}`)).headers.get('etag')!;
    const [a, b] = await Promise.all([
      call('PATCH', `/users/${user.id}`, {
        body: { name: 'by a' },
        headers: { 'If-Match': etag },
      }),
      call('PATCH', `/users/${user.id}`, {
        body: { roles: ['by-b'] },
        headers: { 'If-Match': etag },
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const after = (await call('GET', `/users/${user.id}`)).body!;
    expect(a.status === 200 ? after.name : after.roles).toEqual(
      a.status === 200 ? 'by a' : ['by-b'],
    );
  });

  it('two concurrent PATCHes of different fields without If-Match: neither field is lost', async () => {
    const user = await create({ name: 'before' });
    const [a, b] = await Promise.all([
      call('PATCH', `/users/${user.id}`, { body: { name: 'by a' } }),
      call('PATCH', `/users/${user.id}`, { body: { roles: ['by-b'] } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await call('GET', `/users/${user.id}`)).body).toMatchObject({
      name: 'by a',
      roles: ['by-b'],
    });
  });
});
