import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, opsToken, problemKind, type AdminAnswer } from '../../test-support/admin-api.js';
import { ISSUER, post, WIKI_API } from '../../test-support/grants.js';
import { basicAuth, startTestIdp, type TestIdp } from '../../test-support/test-idp.js';
import { createHttpServer } from '../../http/http-server.js';
import { silentLogger } from '../../logger.js';
import { ADMIN_RESOURCES } from '../admin-resources.js';
import { adminApi } from '../admin-routes.js';
import { createCursors } from '../cursor.js';
import { clientsResource } from './client-resource.js';

/**
 * The clients resource over HTTP, with a real token of the `ops` client. Until the resource is
 * one of ADMIN_RESOURCES, the test mounts it the way admin-routes.ts does, on an app of its
 * own beside the test IdP (same services, same database); once it is, on the IdP itself.
 */
let idp: TestIdp;
let api: TestIdp;
let token: string;
let closeLocal: (() => Promise<void>) | undefined;

beforeAll(async () => {
  idp = await startTestIdp();
  token = await opsToken(idp);
  if (ADMIN_RESOURCES.some((resource) => resource.name === 'clients')) {
    api = idp;
    return;
  }
  const app = new Koa();
  app.use(
    adminApi(
      {
        config: idp.config,
        logger: silentLogger,
        now: Date.now,
        users: idp.users,
        accounts: idp.accounts,
        sessions: idp.sessions,
        revoker: idp.revoker,
        keys: idp.keys,
        audit: idp.audit,
        auditLog: idp.audit,
        links: idp.links,
        clients: idp.clients,
        clientService: idp.clientService,
        cursors: createCursors(idp.config.keyEncryptionKey),
      },
      { resources: [clientsResource], jwksUri: `${idp.url}/jwks` },
    ),
  );
  const server = createHttpServer(app.callback()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  api = { ...idp, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  closeLocal = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await closeLocal?.();
  await idp?.close();
});

const call = (method: string, path: string, options?: Parameters<typeof admin>[4]) =>
  admin(api, token, method, path, options);
let serial = 0;
const uniqueId = (prefix = 'adm') => `${prefix}-${process.pid}-${++serial}`;
const newClient = (extra: Record<string, unknown> = {}) => ({
  client_id: uniqueId(),
  client_name: 'Admin-registered',
  redirect_uris: ['https://admin-app.example/cb'],
  resources: [WIKI_API],
  ...extra,
});
const expectProblem = (answer: AdminAnswer, status: number, kind?: string) => {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  if (kind) expect(problemKind(answer)).toBe(kind);
};
const register = async (extra: Record<string, unknown> = {}) => {
  const answer = await call('POST', '/clients', { body: newClient(extra) });
  expect(answer.status).toBe(201);
  return answer.body as Record<string, unknown> & { client_id: string; client_secret?: string };
};
const clientCredentials = (id: string, secret: string) =>
  post(
    idp,
    '/token',
    { grant_type: 'client_credentials' },
    { Authorization: basicAuth(id, secret) },
  );

describe('admin clients', () => {
  it('registers (secret once, no-store), shows, updates, rotates and deletes, each audited', async () => {
    const created = await call('POST', '/clients', {
      body: newClient({ grant_types: ['authorization_code', 'client_credentials'] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.get('etag')).toBe('"v1"');
    const body = created.body as Record<string, unknown> & {
      client_id: string;
      client_secret: string;
    };
    expect(created.headers.get('location')).toBe(`/admin/v1/clients/${body.client_id}`);
    expect(body).toMatchObject({
      client_name: 'Admin-registered',
      token_endpoint_auth_method: 'client_secret_basic',
      managed_by: 'api',
      version: 1,
      client_secret_expires_at: 0,
    });
    expect(body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await clientCredentials(body.client_id, body.client_secret)).status).toBe(200);

    const shown = await call('GET', `/clients/${body.client_id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).not.toHaveProperty('client_secret');
    expect(JSON.stringify(shown.body)).not.toMatch(/sha256|digest/);

    const patched = await call('PATCH', `/clients/${body.client_id}`, {
      body: { client_name: '名前 ✓', scope: 'wiki:read' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ client_name: '名前 ✓', scope: 'wiki:read', version: 2 });
    expect(patched.body).not.toHaveProperty('client_secret');

    const rotated = await call('POST', `/clients/${body.client_id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const secret = rotated.body!.client_secret as string;
    expect(secret).not.toBe(body.client_secret);
    expect((await clientCredentials(body.client_id, body.client_secret)).status).toBe(401);
    expect((await clientCredentials(body.client_id, secret)).status).toBe(200);

    expect((await call('DELETE', `/clients/${body.client_id}`)).status).toBe(204);
    expectProblem(await call('GET', `/clients/${body.client_id}`), 404, 'not-found');
    expect((await clientCredentials(body.client_id, secret)).status).toBe(401);

    const events = await idp.audit.list({ client: body.client_id }, 50);
    const changes = events.filter((event) =>
      /^client\.(registered|updated|secret_rotated|deleted)$/.test(event.type),
    );
    expect(changes.map((event) => event.type).sort()).toEqual([
      'client.deleted',
      'client.registered',
      'client.secret_rotated',
      'client.updated',
    ]);
    for (const event of changes) expect(event.actor).toEqual({ kind: 'client', id: 'ops' });
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('a public client gets no secret, and rotating one is a 400', async () => {
    const body = await register({ token_endpoint_auth_method: 'none' });
    expect(body).not.toHaveProperty('client_secret');
    expectProblem(
      await call('POST', `/clients/${body.client_id}/rotate-secret`),
      400,
      'invalid-request',
    );
  });

  it('lists by client_id with a cursor, never repeating one', async () => {
    const ids = [];
    for (let index = 0; index < 3; index += 1) ids.push((await register()).client_id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      const listing = page.body as { items: { client_id: string }[]; next_cursor: string | null };
      seen.push(...listing.items.map((item) => item.client_id));
      cursor = listing.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    for (const id of ['shop', 'wiki', ...ids]) expect(seen).toContain(id);
    expectProblem(await call('GET', '/clients?limit=0'), 400);
    expectProblem(await call('GET', `/clients?cursor=${'A'.repeat(10)}.${'B'.repeat(43)}`), 400);
  });

  it.each([
    ['an unknown field', { colour: 'blue' }, '/colour'],
    ['a client_secret', { client_secret: 'my-own-chosen-secret' }, '/client_secret'],
    [
      'an http redirect off loopback',
      { redirect_uris: ['http://app.example/cb'] },
      '/redirect_uris',
    ],
    [
      'a redirect with a fragment',
      { redirect_uris: ['https://app.example/cb#f'] },
      '/redirect_uris',
    ],
    ['an unknown grant type', { grant_types: ['password'] }, '/grant_types'],
    [
      'an unknown auth method',
      { token_endpoint_auth_method: 'private_key_jwt' },
      '/token_endpoint_auth_method',
    ],
    [
      'an alg the keys cannot sign',
      { id_token_signed_response_alg: 'EdDSA' },
      '/id_token_signed_response_alg',
    ],
    ['a name of 201 characters', { client_name: 'ü'.repeat(201) }, '/client_name'],
    ['a name with a newline', { client_name: 'two\nlines' }, '/client_name'],
    ['a list that is a string', { redirect_uris: 'https://app.example/cb' }, '/redirect_uris'],
  ])('refuses %s with a 400 problem naming the field', async (_, extra, pointer) => {
    const body = newClient(extra);
    const answer = await call('POST', '/clients', { body });
    expectProblem(answer, 400, 'invalid-request');
    const errors = answer.body!.errors as { pointer: string }[];
    expect(errors.map((error) => error.pointer)).toContain(pointer);
    expectProblem(await call('GET', `/clients/${body.client_id}`), 404);
  });

  it('refuses malformed JSON, a non-object, a wrong media type and a huge body', async () => {
    expectProblem(await call('POST', '/clients', { body: '{"client_id":' }), 400);
    expectProblem(await call('POST', '/clients', { body: '[]' }), 400);
    expectProblem(
      await call('POST', '/clients', { body: '{}', headers: { 'Content-Type': 'text/plain' } }),
      415,
    );
    expectProblem(
      await call('POST', '/clients', { body: newClient({ client_name: 'x'.repeat(100_000) }) }),
      413,
    );
  });

  it('refuses a duplicate client_id (409), and the id of a deleted client', async () => {
    const body = await register();
    expectProblem(
      await call('POST', '/clients', { body: newClient({ client_id: body.client_id }) }),
      409,
      'client-id-taken',
    );
    expectProblem(await call('POST', '/clients', { body: newClient({ client_id: 'shop' }) }), 409);
    expect((await call('DELETE', `/clients/${body.client_id}`)).status).toBe(204);
    expectProblem(
      await call('POST', '/clients', { body: newClient({ client_id: body.client_id }) }),
      409,
      'client-id-taken',
    );
  });

  it('an unknown client: 404 for show, update, rotate and delete', async () => {
    for (const [method, path, body] of [
      ['GET', '/clients/nobody', undefined],
      ['PATCH', '/clients/nobody', { scope: 'x' }],
      ['POST', '/clients/nobody/rotate-secret', undefined],
      ['DELETE', '/clients/nobody', undefined],
      ['GET', `/clients/${encodeURIComponent('ünï\u0000')}`, undefined],
    ] as const) {
      expectProblem(await call(method, path, body ? { body } : {}), 404, 'not-found');
    }
  });

  it('answers odd ids in paths with problems, never a 500', async () => {
    for (const [method, suffix] of [
      ['GET', ''],
      ['DELETE', ''],
      ['POST', '/rotate-secret'],
    ] as const) {
      for (const id of ['%00', '%ZZ', '%E2%80%AE', 'x'.repeat(5000), "'%20OR%201=1"]) {
        const answer = await call(method, `/clients/${id}${suffix}`);
        expect([400, 404], `${method} ${id.slice(0, 20)}`).toContain(answer.status);
        expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
  });

  it('If-Match: a stale version is a 412 and changes nothing; the current one applies', async () => {
    const body = await register();
    await call('PATCH', `/clients/${body.client_id}`, { body: { scope: 'first' } });
    expectProblem(
      await call('PATCH', `/clients/${body.client_id}`, {
        body: { scope: 'stale' },
        headers: { 'If-Match': '"v1"' },
      }),
      412,
      'precondition-failed',
    );
    expectProblem(
      await call('PATCH', `/clients/${body.client_id}`, {
        body: { scope: 'x' },
        headers: { 'If-Match': 'garbage' },
      }),
      412,
    );
    const fresh = await call('PATCH', `/clients/${body.client_id}`, {
      body: { scope: 'fresh' },
      headers: { 'If-Match': '"v2"' },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"v3"');
  });

  it('two concurrent updates of different fields both land', async () => {
    const body = await register();
    const answers = await Promise.all([
      call('PATCH', `/clients/${body.client_id}`, { body: { client_name: 'Concurrent' } }),
      call('PATCH', `/clients/${body.client_id}`, { body: { scope: 'one two' } }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect((await call('GET', `/clients/${body.client_id}`)).body).toMatchObject({
      client_name: 'Concurrent',
      scope: 'one two',
      version: 3,
    });
  });

  it('RFC 9126 §6: registers require_pushed_authorization_requests, and refuses a non-boolean', async () => {
    const body = await register({ require_pushed_authorization_requests: true });
    expect(body).toMatchObject({ require_pushed_authorization_requests: true });
    const found = await call('GET', `/clients/${body.client_id}`);
    expect(found.body).toMatchObject({ require_pushed_authorization_requests: true });
    expectProblem(
      await call('PATCH', `/clients/${body.client_id}`, {
        body: { require_pushed_authorization_requests: 'yes' },
      }),
      400,
    );
  });

  it('null resets a field; a change that breaks a rule is a 400 that changes nothing', async () => {
    const body = await register({ require_mfa: true });
    const reset = await call('PATCH', `/clients/${body.client_id}`, {
      body: { require_mfa: null },
    });
    expect(reset.body).toMatchObject({ require_mfa: false });
    expectProblem(
      await call('PATCH', `/clients/${body.client_id}`, { body: { redirect_uris: [] } }),
      400,
    );
    expectProblem(
      await call('PATCH', `/clients/${body.client_id}`, { body: { client_id: 'renamed' } }),
      400,
    );
    expect((await call('GET', `/clients/${body.client_id}`)).body).toMatchObject({ version: 2 });
  });

  it('a read-only token lists but cannot register', async () => {
    const readOnly = await opsToken(idp, 'latchkey:admin.read');
    expect((await admin(api, readOnly, 'GET', '/clients')).status).toBe(200);
    expectProblem(await admin(api, readOnly, 'POST', '/clients', { body: newClient() }), 403);
    expectProblem(await admin(api, undefined, 'GET', '/clients'), 401);
  });

  it('describes every route in the OpenAPI fragment', () => {
    const paths = Object.keys(clientsResource.openapi.paths);
    expect(paths.sort()).toEqual(['/clients', '/clients/{id}', '/clients/{id}/rotate-secret']);
    expect(ISSUER).toBeTruthy();
  });
});
