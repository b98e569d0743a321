import { storeKeys } from '@latchkey/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';
import { freshTestDatabase } from '../test-support/test-database.js';
import { createKeyFactory } from './key-generation.js';
import { maintainKeySet, type KeyPolicy } from './key-lifecycle.js';
import { createKeyManager } from './key-manager.js';
import { createKeyRepository } from './key-repository.js';

const policy: KeyPolicy = {
  algorithms: ['RS256', 'ES256'],
  rotationIntervalMs: 3_600_000,
  retentionMs: 3_600_000,
};
const KEK = Buffer.alloc(32, 9);

/**
 * Upgrading from an IdP that kept its keys only in Redis: the first start on an empty database
 * takes those keys over, so the tokens they signed go on verifying.
 */
describe('keys left in Redis by an earlier IdP', { timeout: 30_000 }, () => {
  it('are taken over into an empty database, not replaced', async () => {
    const store = createMemoryStore();
    const database = await freshTestDatabase();
    const legacy = (await maintainKeySet(null, Date.now(), policy, createKeyFactory(KEK)))!.set;
    await store.set(storeKeys.keySet, JSON.stringify(legacy));

    const keys = createKeyManager({
      store,
      database,
      policy,
      kek: KEK,
      newKey: createKeyFactory(KEK),
      logger: silentLogger,
    });
    try {
      await keys.start();
      expect(keys.notReadyReason()).toBeNull();
      const kids = (set: { keys: { kid: string }[] } | null) =>
        (set?.keys ?? []).map((key) => key.kid).sort();
      expect(
        keys
          .list()
          .map((key) => key.kid)
          .sort(),
      ).toEqual(kids(legacy));
      expect(kids(await createKeyRepository(database).read())).toEqual(kids(legacy));
      expect(keys.signingKey('ES256').kid).toBe(
        legacy.keys.find((key) => key.alg === 'ES256' && key.activatedAt !== null)!.kid,
      );
    } finally {
      await keys.stop();
      await database.close();
    }
  });

  it('an empty database and an empty Redis: fresh keys, written to both', async () => {
    const store = createMemoryStore();
    const database = await freshTestDatabase();
    const keys = createKeyManager({
      store,
      database,
      policy,
      kek: KEK,
      newKey: createKeyFactory(KEK),
      logger: silentLogger,
    });
    try {
      await keys.start();
      const stored = await createKeyRepository(database).read();
      expect(stored?.keys).toHaveLength(4);
      expect(JSON.parse((await store.get(storeKeys.keySet))!)).toEqual(stored);
    } finally {
      await keys.stop();
      await database.close();
    }
  });
});
