import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditLog } from '../audit/audit-trail.js';
import type { Database } from '../db/database.js';
import { createLogger } from '../logger.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { createClientRepository } from './client-repository.js';
import { digestSecret, secretMatches } from './client-secret.js';
import { createClientService, type ClientActor, type ClientService } from './client-service.js';
import { createStoredClientRegistry, type StoredClientRegistry } from './stored-client-registry.js';

/** The service over a real (PGlite) table, a real audit trail and a real registry. */
let db: Database;
let service: ClientService;
let registry: StoredClientRegistry;
let audit: AuditLog;
const logLines: string[] = [];
const secretsIssued: string[] = [];
const by: ClientActor = {
  actor: { kind: 'user', id: 'admin-1' },
  request: { address: '127.0.0.1', requestId: 'req-1' },
};

beforeAll(async () => {
  db = await freshTestDatabase();
  const logger = createLogger('debug', (line) => logLines.push(line));
  const repository = createClientRepository(db);
  registry = createStoredClientRegistry({ repository, refreshIntervalMs: 60_000, logger });
  await registry.load();
  audit = createAuditLog({ database: db, logger, now: Date.now });
  service = createClientService({
    repository,
    reload: () => registry.reload(),
    audit,
    signingAlgorithms: ['ES256', 'RS256'],
    production: false,
  });
});
afterAll(async () => {
  // Whatever happened, no secret the service issued reached a log line or the trail.
  const trail = JSON.stringify(await audit.list({}, 1_000));
  for (const secret of secretsIssued) {
    expect(logLines.join('\n')).not.toContain(secret);
    expect(trail).not.toContain(secret);
  }
  await db.close();
});

let serial = 0;
function registration(extra: Record<string, unknown> = {}): Record<string, unknown> {
  serial += 1;
  return {
    client_id: `svc-${serial}`,
    client_name: `Service test ${serial}`,
    redirect_uris: [`https://app${serial}.example/cb`],
    resources: ['https://api.example/'],
    ...extra,
  };
}

async function register(extra: Record<string, unknown> = {}) {
  const result = await service.register(registration(extra), by);
  if (result.secret) secretsIssued.push(result.secret);
  return result;
}

/** The problems an InvalidClientMetadataError carries, or a failure if none was thrown. */
async function problemsOf(work: Promise<unknown>): Promise<readonly string[]> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toMatchObject({ code: 'ERR_INVALID_CLIENT_METADATA' });
  return (error as { problems: readonly string[] }).problems;
}

describe('register', () => {
  it('a confidential client: a 256-bit base64url secret returned once, its digest stored', async () => {
    const { client, secret } = await register({ scope: 'wiki:read' });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secretMatches(client.secretDigest!, secret!)).toBe(true);
    expect(client).toMatchObject({ authMethod: 'client_secret_basic', managedBy: 'api' });
    // Served at once by this instance's registry.
    expect(registry.find(client.id)?.secretDigest?.equals(digestSecret(secret!))).toBe(true);
    const [event] = await audit.list({ type: 'client.registered', client: client.id }, 5);
    expect(event).toMatchObject({
      actor: { kind: 'user', id: 'admin-1' },
      client: client.id,
      address: '127.0.0.1',
      requestId: 'req-1',
    });
  });

  it('two registrations never get the same secret', async () => {
    const a = await register();
    const b = await register();
    expect(a.secret).not.toBe(b.secret);
  });

  it('a public client gets no secret', async () => {
    const { client, secret } = await register({ token_endpoint_auth_method: 'none' });
    expect(secret).toBeNull();
    expect(client.secretDigest).toBeNull();
  });

  it('generates a client_id when none is given', async () => {
    const { client, secret } = await service.register(
      { redirect_uris: ['https://gen.example/cb'], resources: ['https://api.example/'] },
      by,
    );
    secretsIssued.push(secret!);
    expect(client.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(client.name).toBe(client.id);
  });

  it('keeps a unicode name, NFC-normalised, up to 200 characters', async () => {
    const name = `Caf\u0065\u0301 客户 ${'🚀'.repeat(190)}`;
    const { client } = await register({ client_name: name });
    expect(client.name).toBe(name.normalize('NFC'));
    expect((await service.find(client.id)).name).toBe(name.normalize('NFC'));
  });

  it.each([
    ['an unknown field', { colour: 'blue' }, /unknown field "colour"/],
    ['a client_secret', { client_secret: 'chosen-by-the-caller-123' }, /client_secret cannot/],
    [
      'a client_secret_sha256',
      { client_secret_sha256: digestSecret('x').toString('base64') },
      /client_secret_sha256 cannot/,
    ],
    [
      'an http redirect off loopback',
      { redirect_uris: ['http://app.example/cb'] },
      /must be https/,
    ],
    [
      'a redirect with a fragment',
      { redirect_uris: ['https://app.example/cb#x'] },
      /without fragment/,
    ],
    [
      'a redirect with an empty fragment',
      { redirect_uris: ['https://app.example/cb#'] },
      /without fragment/,
    ],
    ['a relative redirect', { redirect_uris: ['/cb'] }, /not an absolute URI/],
    ['a javascript: redirect', { redirect_uris: ['javascript:alert(1)'] }, /must be https/],
    [
      'an http post-logout redirect off loopback',
      { post_logout_redirect_uris: ['http://app.example/'] },
      /must be https/,
    ],
    [
      'an unknown grant type',
      { grant_types: ['password'] },
      /grant_types: "password" is not supported/,
    ],
    [
      'a grant type list that is no list',
      { grant_types: 'authorization_code' },
      /grant_types must be an array/,
    ],
    [
      'an unknown auth method',
      { token_endpoint_auth_method: 'private_key_jwt' },
      /token_endpoint_auth_method must be one of/,
    ],
    [
      'an alg the keys cannot sign',
      { id_token_signed_response_alg: 'EdDSA' },
      /EdDSA is not signed by this IdP/,
    ],
    [
      'an alg nobody knows',
      { id_token_signed_response_alg: 'HS256' },
      /must be ES256, RS256 or EdDSA/,
    ],
    ['a name over 200 characters', { client_name: 'é'.repeat(201) }, /at most 200 characters/],
    ['a huge name', { client_name: 'x'.repeat(1_000_000) }, /at most 200 characters/],
    ['a name with control characters', { client_name: 'evil\u0000name\n' }, /control characters/],
    ['an empty name', { client_name: '  ' }, /non-empty string/],
    ['a unicode client_id', { client_id: 'клиент' }, /client_id must be/],
    ['an over-long client_id', { client_id: 'a'.repeat(65) }, /client_id must be/],
    ['no resources', { resources: [] }, /resources must name at least one API/],
    [
      'too many redirect URIs',
      { redirect_uris: Array.from({ length: 51 }, (_, i) => `https://a.example/${i}`) },
      /at most 50/,
    ],
    ['a scope with a quote', { scope: 'ok "bad"' }, /scope holds a character/],
    [
      'public client_credentials',
      { token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] },
      /needs a confidential client/,
    ],
  ])('refuses %s (400), storing nothing', async (_, extra, expected) => {
    const input = registration(extra);
    const problems = await problemsOf(service.register(input, by));
    expect(problems.join('\n')).toMatch(expected);
    if (typeof input.client_id === 'string' && /^[\w.-]{1,64}$/.test(input.client_id)) {
      expect(registry.find(input.client_id)).toBeUndefined();
      await expect(service.find(input.client_id)).rejects.toMatchObject({
        code: 'ERR_CLIENT_NOT_FOUND',
      });
    }
  });

  it.each([null, [], 'a string', 42])('refuses a body that is not an object: %j', async (body) => {
    await problemsOf(service.register(body, by));
  });

  it('refuses a client_id taken (409), leaving the first one as it was', async () => {
    const { client } = await register();
    await expect(
      service.register({ ...registration(), client_id: client.id }, by),
    ).rejects.toMatchObject({ code: 'ERR_CLIENT_ID_TAKEN', deleted: false });
    expect((await service.find(client.id)).name).toBe(client.name);
  });

  it("refuses a deleted client's id (409): its codes and refresh tokens name it", async () => {
    const { client } = await register();
    await service.delete(client.id, by);
    await expect(
      service.register({ ...registration(), client_id: client.id }, by),
    ).rejects.toMatchObject({ code: 'ERR_CLIENT_ID_TAKEN', deleted: true });
  });
});

describe('update', () => {
  it('changes the fields given and keeps the others; the secret stays', async () => {
    const { client, secret } = await register({ scope: 'a b', require_mfa: true });
    const { client: updated, secret: newSecret } = await service.update(
      client.id,
      { client_name: 'Renamed', post_logout_redirect_uris: ['https://x.example/'] },
      by,
    );
    expect(newSecret).toBeNull();
    expect(updated).toMatchObject({
      name: 'Renamed',
      postLogoutRedirectUris: ['https://x.example/'],
      scopes: ['a', 'b'],
      requireMfa: true,
      redirectUris: client.redirectUris,
      version: 2,
    });
    expect(secretMatches(updated.secretDigest!, secret!)).toBe(true);
    expect(registry.find(client.id)?.name).toBe('Renamed');
    const [event] = await audit.list({ type: 'client.updated', client: client.id }, 5);
    expect(event?.detail).toEqual({ fields: 'client_name post_logout_redirect_uris' });
  });

  it('null resets a field to its default', async () => {
    const { client } = await register({ require_mfa: true, client_name: 'Named' });
    const { client: updated } = await service.update(
      client.id,
      { require_mfa: null, client_name: null },
      by,
    );
    expect(updated.requireMfa).toBeUndefined();
    expect(updated.name).toBe(client.id);
  });

  it('turning confidential into public drops the secret; back again issues a new one', async () => {
    const { client } = await register();
    const toPublic = await service.update(client.id, { token_endpoint_auth_method: 'none' }, by);
    expect(toPublic.client.secretDigest).toBeNull();
    expect(toPublic.secret).toBeNull();
    const back = await service.update(
      client.id,
      { token_endpoint_auth_method: 'client_secret_post' },
      by,
    );
    secretsIssued.push(back.secret!);
    expect(back.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secretMatches(back.client.secretDigest!, back.secret!)).toBe(true);
  });

  it('refuses a change that breaks a rule, and changes nothing', async () => {
    const { client } = await register();
    const problems = await problemsOf(service.update(client.id, { redirect_uris: [] }, by));
    expect(problems).toEqual(['authorization_code needs at least one redirect_uri']);
    await problemsOf(service.update(client.id, { redirect_uris: ['http://evil.example/cb'] }, by));
    await problemsOf(service.update(client.id, { id_token_signed_response_alg: 'EdDSA' }, by));
    await problemsOf(service.update(client.id, { colour: 'red' }, by));
    await problemsOf(service.update(client.id, { client_secret: 'a-new-secret-of-mine' }, by));
    await problemsOf(service.update(client.id, { client_id: 'other' }, by));
    await problemsOf(service.update(client.id, [], by));
    expect(await service.find(client.id)).toMatchObject({ version: 1 });
  });

  it('accepts its own client_id in the patch', async () => {
    const { client } = await register();
    const { client: updated } = await service.update(
      client.id,
      { client_id: client.id, scope: 's' },
      by,
    );
    expect(updated.scopes).toEqual(['s']);
  });

  it('an unknown or deleted client: not found (404)', async () => {
    await expect(service.update('nobody', { scope: 'x' }, by)).rejects.toMatchObject({
      code: 'ERR_CLIENT_NOT_FOUND',
    });
    const { client } = await register();
    await service.delete(client.id, by);
    await expect(service.update(client.id, { scope: 'x' }, by)).rejects.toMatchObject({
      code: 'ERR_CLIENT_NOT_FOUND',
    });
  });

  it('with ifVersion, refuses (412) a client changed since, and applies to the current one', async () => {
    const { client } = await register();
    await service.update(client.id, { scope: 'first' }, by);
    await expect(
      service.update(client.id, { scope: 'stale' }, by, { ifVersion: 1 }),
    ).rejects.toMatchObject({ code: 'ERR_CLIENT_VERSION_MISMATCH' });
    expect((await service.find(client.id)).scopes).toEqual(['first']);
    const { client: updated } = await service.update(client.id, { scope: 'fresh' }, by, {
      ifVersion: 2,
    });
    expect(updated).toMatchObject({ scopes: ['fresh'], version: 3 });
  });

  it('two concurrent updates of different fields both land', async () => {
    const { client } = await register();
    await Promise.all([
      service.update(client.id, { client_name: 'Concurrent' }, by),
      service.update(client.id, { scope: 'one two' }, by),
      service.update(client.id, { post_logout_redirect_uris: ['https://p.example/'] }, by),
    ]);
    expect(await service.find(client.id)).toMatchObject({
      name: 'Concurrent',
      scopes: ['one', 'two'],
      postLogoutRedirectUris: ['https://p.example/'],
      version: 4,
    });
  });
});

describe('rotateSecret', () => {
  it('issues a new secret; the old one stops matching at once in the registry', async () => {
    const { client, secret: old } = await register();
    const { secret } = await service.rotateSecret(client.id, by);
    secretsIssued.push(secret);
    expect(secret).not.toBe(old);
    const served = registry.find(client.id)!;
    expect(secretMatches(served.secretDigest!, secret)).toBe(true);
    expect(secretMatches(served.secretDigest!, old!)).toBe(false);
    const [event] = await audit.list({ type: 'client.secret_rotated', client: client.id }, 5);
    expect(event).toMatchObject({ actor: by.actor, detail: {} });
  });

  it('refuses a public client (400) and an unknown one (404)', async () => {
    const { client } = await register({ token_endpoint_auth_method: 'none' });
    await expect(service.rotateSecret(client.id, by)).rejects.toMatchObject({
      code: 'ERR_CLIENT_OPERATION',
    });
    expect((await service.find(client.id)).secretDigest).toBeNull();
    await expect(service.rotateSecret('nobody', by)).rejects.toMatchObject({
      code: 'ERR_CLIENT_NOT_FOUND',
    });
  });
});

describe('delete', () => {
  it('removes the client from the registry and the listing, audited', async () => {
    const { client } = await register();
    await service.delete(client.id, by);
    expect(registry.find(client.id)).toBeUndefined();
    await expect(service.find(client.id)).rejects.toMatchObject({ code: 'ERR_CLIENT_NOT_FOUND' });
    const [event] = await audit.list({ type: 'client.deleted', client: client.id }, 5);
    expect(event?.actor).toEqual(by.actor);
  });

  it('an unknown client, or one deleted already: not found (404)', async () => {
    await expect(service.delete('nobody', by)).rejects.toMatchObject({
      code: 'ERR_CLIENT_NOT_FOUND',
    });
    const { client } = await register();
    await service.delete(client.id, by);
    await expect(service.delete(client.id, by)).rejects.toMatchObject({
      code: 'ERR_CLIENT_NOT_FOUND',
    });
  });
});

describe('list', () => {
  it('pages through the live clients by id', async () => {
    const first = await service.list({ limit: 2 });
    expect(first.clients).toHaveLength(2);
    const second = await service.list({ after: first.next, limit: 2 });
    expect(second.clients[0]!.id > first.clients[1]!.id).toBe(true);
  });
});
