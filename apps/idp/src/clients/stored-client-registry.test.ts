import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createLogger, silentLogger } from '../logger.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import type { Client, StoredClient } from './client.js';
import { createClientRepository, type ClientRepository } from './client-repository.js';
import { digestSecret } from './client-secret.js';
import { createStoredClientRegistry } from './stored-client-registry.js';

let db: Database;
let repository: ClientRepository;
beforeAll(async () => {
  db = await freshTestDatabase();
  repository = createClientRepository(db);
});
afterAll(() => db.close());

let serial = 0;
const someClient = (): Client => {
  serial += 1;
  return {
    id: `reg-${serial}`,
    name: `Registry ${serial}`,
    secretDigest: digestSecret(`registry-secret-${serial}`),
    authMethod: 'client_secret_basic',
    grantTypes: ['client_credentials'],
    redirectUris: [],
    postLogoutRedirectUris: [],
    scopes: [],
    resources: ['https://api.example/'],
    idTokenSignedResponseAlg: 'RS256',
  };
};

const until = async (check: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('not within the time allowed');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('the stored client registry', () => {
  it('serves nothing before load, the live clients after, synchronously', async () => {
    const client = someClient();
    await repository.create(client);
    const registry = createStoredClientRegistry({
      repository,
      refreshIntervalMs: 60_000,
      logger: silentLogger,
    });
    expect(registry.find(client.id)).toBeUndefined();
    await registry.load();
    expect(registry.find(client.id)?.name).toBe(client.name);
    expect(registry.all().map((c) => c.id)).toContain(client.id);
  });

  it("a second instance sees the first one's changes within its refresh interval", async () => {
    const first = createStoredClientRegistry({
      repository,
      refreshIntervalMs: 60_000,
      logger: silentLogger,
    });
    const second = createStoredClientRegistry({
      repository,
      refreshIntervalMs: 100,
      logger: silentLogger,
    });
    await Promise.all([first.load(), second.load()]);
    second.start();
    try {
      const client = someClient();
      await repository.create(client);
      await first.reload();
      expect(first.find(client.id)).toBeDefined();
      await until(() => second.find(client.id) !== undefined);
      await repository.delete(client.id);
      await until(() => second.find(client.id) === undefined);
    } finally {
      second.stop();
    }
  });

  it('keeps what it holds when the database fails, and says so', async () => {
    const client = someClient();
    const lines: string[] = [];
    let failing = false;
    const flaky: ClientRepository = {
      ...repository,
      all: () => (failing ? Promise.reject(new Error('database away')) : repository.all()),
    };
    await repository.create(client);
    const registry = createStoredClientRegistry({
      repository: flaky,
      refreshIntervalMs: 60_000,
      logger: createLogger('info', (line) => lines.push(line)),
    });
    await registry.load();
    failing = true;
    await registry.reload();
    expect(registry.find(client.id)).toBeDefined();
    expect(lines.join('\n')).toMatch(/clients\.reload_failed.*database away/);
    await expect(registry.load()).rejects.toThrow('database away');
  });

  it('an older read that finishes last never replaces a newer one', async () => {
    const older: StoredClient[] = [];
    const newer = [{ ...someClient(), managedBy: 'api', version: 1 } as StoredClient];
    let release: (() => void) | undefined;
    let calls = 0;
    const slowFirst: ClientRepository = {
      ...repository,
      all: () => {
        calls += 1;
        if (calls === 1) return new Promise((resolve) => (release = () => resolve(older)));
        return Promise.resolve(newer);
      },
    };
    const registry = createStoredClientRegistry({
      repository: slowFirst,
      refreshIntervalMs: 60_000,
      logger: silentLogger,
    });
    const slow = registry.reload();
    await registry.reload();
    release!();
    await slow;
    expect(registry.all()).toBe(newer);
  });
});
