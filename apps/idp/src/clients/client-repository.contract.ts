import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import type { Client } from './client.js';
import { createClientRepository, type ClientRepository } from './client-repository.js';
import { digestSecret } from './client-secret.js';

/**
 * What every clients backend promises (PGlite and a PostgreSQL server run the same SQL): the
 * suite runs once per backend, on a migrated database of its own.
 */
export function clientRepositoryContract(name: string, open: () => Promise<Database>): void {
  describe(`ClientRepository contract: ${name}`, () => {
    let db: Database;
    let clients: ClientRepository;
    beforeAll(async () => {
      db = await open();
      clients = createClientRepository(db);
    }, 60_000);
    afterAll(async () => {
      await db?.close();
    });

    let serial = 0;
    const someClient = (overrides: Partial<Client> = {}): Client => {
      serial += 1;
      return {
        id: `c-${serial}`,
        name: `Client ${serial}`,
        secretDigest: digestSecret(`secret-${serial}-long-enough`),
        authMethod: 'client_secret_basic',
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [`https://app${serial}.example/cb`],
        postLogoutRedirectUris: [],
        scopes: ['wiki:read'],
        resources: ['https://api.example/'],
        idTokenSignedResponseAlg: 'RS256',
        ...overrides,
      };
    };

    it('creates a client and finds it with every field, owned by the API, version 1', async () => {
      const client = someClient({
        name: 'Ünïcødé 客户 🚀',
        postLogoutRedirectUris: ['https://app.example/'],
        backchannelLogoutUri: 'https://app.example/bc?x=1',
        backchannelLogoutSessionRequired: true,
        requireMfa: true,
        idTokenOnRefresh: true,
        applicationType: 'native',
        dpopBoundAccessTokens: true,
        webOrigins: ['https://spa.example', 'http://localhost:5173'],
        requirePushedAuthorizationRequests: true,
        idTokenSignedResponseAlg: 'ES256',
      });
      const created = await clients.create(client);
      expect(created).toMatchObject({ ...client, managedBy: 'api', version: 1 });
      const found = await clients.find(client.id);
      expect(found).toEqual(created);
      expect(found!.secretDigest!.equals(client.secretDigest!)).toBe(true);
      expect(found!.createdAt).toBeInstanceOf(Date);
    });

    it('leaves optional fields out, and keeps a public client without a digest', async () => {
      const client = someClient({ secretDigest: null, authMethod: 'none' });
      await clients.create(client);
      const found = (await clients.find(client.id))!;
      expect(found.secretDigest).toBeNull();
      expect('backchannelLogoutUri' in found).toBe(false);
      expect('requireMfa' in found).toBe(false);
      expect('idTokenOnRefresh' in found).toBe(false);
      expect('applicationType' in found).toBe(false);
    });

    it('refuses a confidential client without a digest, or a public one with one', async () => {
      await expect(clients.create(someClient({ secretDigest: null }))).rejects.toMatchObject({
        code: '23514',
      });
      await expect(clients.create(someClient({ authMethod: 'none' }))).rejects.toMatchObject({
        code: '23514',
      });
    });

    it('says taken for a live id, deleted for the id of a deleted client', async () => {
      const client = someClient();
      await clients.create(client);
      expect(await clients.create({ ...client, name: 'Other' })).toBe('taken');
      expect((await clients.find(client.id))!.name).toBe(client.name);
      expect(await clients.delete(client.id)).toBe(true);
      expect(await clients.create(client)).toBe('deleted');
      expect(await clients.import(client)).toBe('kept_deleted');
      expect(await clients.find(client.id)).toBeNull();
    });

    it('delete hides the client everywhere; false the second time and for unknown ids', async () => {
      const client = someClient();
      await clients.create(client);
      expect(await clients.delete(client.id)).toBe(true);
      expect(await clients.find(client.id)).toBeNull();
      expect((await clients.all()).map((c) => c.id)).not.toContain(client.id);
      expect(await clients.delete(client.id)).toBe(false);
      expect(await clients.delete('nobody')).toBe(false);
      expect(await clients.change(client.id, (c) => c)).toBeNull();
    });

    it('answers null for unknown, empty, huge or NUL-carrying ids, never an error', async () => {
      for (const id of ['nobody-here', '', 'x'.repeat(10_000), 'a\u0000b', 'ünï']) {
        expect(await clients.find(id)).toBeNull();
        expect(await clients.delete(id)).toBe(false);
        expect(await clients.change(id, (c) => c)).toBeNull();
      }
    });

    it('change replaces the registration, moves the version on, and hands it to the API', async () => {
      const client = someClient();
      expect(await clients.import(client)).toBe('created');
      const before = (await clients.find(client.id))!;
      expect(before.managedBy).toBe('file');
      const changed = await clients.change(client.id, (current) => ({
        ...current,
        scopes: ['a', 'b'],
      }));
      expect(changed).toMatchObject({ scopes: ['a', 'b'], version: 2, managedBy: 'api' });
      expect(changed!.createdAt).toEqual(before.createdAt);
      expect(changed!.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    });

    it('change rolls back when the edit throws, and refuses a rename', async () => {
      const client = someClient();
      await clients.create(client);
      await expect(
        clients.change(client.id, () => {
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await expect(
        clients.change(client.id, (current) => ({ ...current, id: 'renamed' })),
      ).rejects.toBeInstanceOf(TypeError);
      expect(await clients.find(client.id)).toMatchObject({ version: 1, name: client.name });
    });

    it('concurrent changes of different fields each land (no lost update)', async () => {
      const client = someClient();
      await clients.create(client);
      await Promise.all([
        clients.change(client.id, (current) => ({ ...current, name: 'Renamed' })),
        clients.change(client.id, (current) => ({ ...current, scopes: ['x'] })),
        clients.change(client.id, (current) => ({ ...current, requireMfa: true })),
      ]);
      expect(await clients.find(client.id)).toMatchObject({
        name: 'Renamed',
        scopes: ['x'],
        requireMfa: true,
        version: 4,
      });
    });

    it('import: created, unchanged, updated while the file owns it, then kept once the API does', async () => {
      const client = someClient();
      expect(await clients.import(client)).toBe('created');
      expect(await clients.import(client)).toBe('unchanged');
      expect((await clients.find(client.id))!.version).toBe(1);
      expect(await clients.import({ ...client, scopes: ['more'] })).toBe('updated');
      expect(await clients.find(client.id)).toMatchObject({ scopes: ['more'], version: 2 });
      await clients.change(client.id, (current) => ({ ...current, name: 'By the API' }));
      expect(await clients.import({ ...client, scopes: ['more'] })).toBe('kept_api');
      expect(await clients.find(client.id)).toMatchObject({ name: 'By the API', version: 3 });
      // The file saying what the table says is not a difference worth a warning.
      const now = (await clients.find(client.id))!;
      expect(await clients.import({ ...client, name: now.name, scopes: now.scopes })).toBe(
        'unchanged',
      );
    });

    it('concurrent imports of one file (two instances starting) create each client once', async () => {
      const client = someClient();
      const outcomes = await Promise.all([clients.import(client), clients.import(client)]);
      expect(outcomes.sort()).toEqual(['created', 'unchanged']);
    });

    it("dropUnlisted deletes the file's unlisted clients only; listing one again revives it", async () => {
      const listed = someClient();
      const unlisted = someClient();
      const byApi = someClient();
      await clients.import(listed);
      await clients.import(unlisted);
      await clients.create(byApi);
      const dropped = await clients.dropUnlisted([listed.id]);
      expect(dropped).toContain(unlisted.id);
      expect(dropped).not.toContain(listed.id);
      expect(dropped).not.toContain(byApi.id);
      expect(await clients.find(unlisted.id)).toBeNull();
      expect(await clients.find(byApi.id)).not.toBeNull();
      expect(await clients.dropUnlisted([listed.id])).toEqual([]);
      // Neither the API nor a new registration may take the id; the file may bring it back.
      expect(await clients.create(unlisted)).toBe('deleted');
      expect(await clients.import(unlisted)).toBe('created');
      expect(await clients.find(unlisted.id)).toMatchObject({
        managedBy: 'file',
        name: unlisted.name,
      });
      expect((await clients.find(unlisted.id))!.secretDigest!.equals(unlisted.secretDigest!)).toBe(
        true,
      );
    });

    describe('list', () => {
      const prefix = 'zz-list-';
      beforeAll(async () => {
        for (const suffix of ['c', 'a', 'e', 'b', 'd', 'gone']) {
          await clients.create(someClient({ id: `${prefix}${suffix}` }));
        }
        await clients.delete(`${prefix}gone`);
      });

      it('pages through live clients in id order with a cursor, ending with next null', async () => {
        const seen: string[] = [];
        let after: string | null = `${prefix}`;
        for (let pages = 0; pages < 10 && after !== null; pages++) {
          const page = await clients.list({ after, limit: 2 });
          seen.push(
            ...page.clients.map((client) => client.id).filter((id) => id.startsWith(prefix)),
          );
          after = page.next;
        }
        expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'].map((suffix) => `${prefix}${suffix}`));
      });

      it('a page exactly full says no next page when nothing follows', async () => {
        const page = await clients.list({ after: `${prefix}a`, limit: 500 });
        expect(page.next).toBeNull();
      });

      it('answers an empty page for a cursor no id could be, never an error', async () => {
        expect(await clients.list({ after: 'x'.repeat(10_000) })).toEqual({
          clients: [],
          next: null,
        });
        expect(await clients.list({ after: 'a\u0000' })).toEqual({ clients: [], next: null });
      });

      it('refuses a limit outside 1 to 500 as a caller mistake', async () => {
        for (const limit of [0, -1, 501, 1.5, Number.NaN]) {
          await expect(clients.list({ limit })).rejects.toBeInstanceOf(RangeError);
        }
      });
    });
  });
}
