import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { fakeKeyFactory } from '../test-support/fake-key-factory.js';
import { createKeyFactory, type KeyFactory } from './key-generation.js';
import {
  maintainKeySet,
  revokeKey,
  rotateKeySet,
  type KeyPolicy,
  type KeySetChange,
} from './key-lifecycle.js';
import {
  createKeyRepository,
  KeySetContentionError,
  KeySetCorruptError,
  type KeyRepository,
} from './key-repository.js';
import { keyState, type KeySet } from './key-set.js';

const HOUR = 3_600_000;
const policy: KeyPolicy = {
  algorithms: ['RS256', 'ES256'],
  rotationIntervalMs: 24 * HOUR,
  retentionMs: HOUR,
};
// Not on a second boundary: the database must keep milliseconds exactly.
const T0 = Date.UTC(2026, 10, 26, 9, 30, 15, 123);

const states = (set: KeySet | null) =>
  (set?.keys ?? []).map((key) => `${key.alg}:${keyState(key)}`).sort();

/**
 * What every backend of the signing keys promises (PGlite and a PostgreSQL server run the same
 * SQL): the suite runs once per backend, each test on an empty key set.
 */
export function keyRepositoryContract(name: string, open: () => Promise<Database>): void {
  describe(`KeyRepository contract: ${name}`, () => {
    let db: Database;
    let keys: KeyRepository;
    beforeAll(async () => {
      db = await open();
    }, 60_000);
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.query('DELETE FROM signing_keys');
      await db.query('DELETE FROM signing_key_set');
      keys = createKeyRepository(db);
    });

    const create = (factory: KeyFactory = fakeKeyFactory()) =>
      keys.update((current) => maintainKeySet(current, T0, policy, factory));

    it('holds no set until the first one is written, and writes nothing for a null change', async () => {
      expect(await keys.read()).toBeNull();
      expect(await keys.update(() => Promise.resolve(null))).toEqual({ set: null, changed: null });
      expect(await db.query('SELECT * FROM signing_key_set')).toHaveLength(0);
    });

    it('keeps every field of real keys exactly, the private key only sealed', async () => {
      const { set, changed } = await create(createKeyFactory(Buffer.alloc(32, 7)));
      expect(changed).toBe('created');
      expect(set?.version).toBe(1);
      const read = await keys.read();
      expect(read).toEqual(set);
      expect(read!.keys.every((key) => key.createdAt === T0)).toBe(true);
      const rows = await db.query<{ private_key: Record<string, unknown>; public_jwk: object }>(
        'SELECT private_key, public_jwk FROM signing_keys',
      );
      expect(rows).toHaveLength(4);
      for (const row of rows) {
        expect(Object.keys(row.private_key).sort()).toEqual(['data', 'iv', 'tag', 'v']);
        expect(row.public_jwk).not.toHaveProperty('d');
      }
    });

    it('follows the lifecycle: rotation, revocation and pruning, with the state in SQL', async () => {
      const factory = fakeKeyFactory();
      await create(factory);
      const rotated = await keys.update((current) =>
        rotateKeySet(current!, T0 + 1, policy, factory),
      );
      expect(rotated.changed).toBe('rotated');
      expect(states(await keys.read())).toEqual([
        'ES256:active',
        'ES256:pending',
        'ES256:retired',
        'RS256:active',
        'RS256:pending',
        'RS256:retired',
      ]);
      const active = (await keys.read())!.keys.find(
        (key) => key.alg === 'ES256' && keyState(key) === 'active',
      )!;
      await keys.update((current) => revokeKey(current!, active.kid, T0 + 2, policy, factory));
      const revoked = (await keys.read())!.keys.find((key) => key.kid === active.kid)!;
      expect(revoked.revokedAt).toBe(T0 + 2);
      const sqlStates = await db.query<{ kid: string; state: string }>(
        'SELECT kid, state FROM signing_keys',
      );
      const read = (await keys.read())!;
      for (const row of sqlStates) {
        expect(row.state).toBe(keyState(read.keys.find((key) => key.kid === row.kid)!));
      }
      // Past the retention, retired and revoked keys are deleted.
      await keys.update((current) =>
        maintainKeySet(current, T0 + 2 + policy.retentionMs, policy, factory),
      );
      expect(states(await keys.read())).toEqual([
        'ES256:active',
        'ES256:pending',
        'RS256:active',
        'RS256:pending',
      ]);
      expect(await db.query('SELECT kid FROM signing_keys')).toHaveLength(4);
      expect((await keys.read())!.version).toBe(4);
    });

    it('returns the keys in one order for every reader, whatever order they were written in', async () => {
      const { set } = await create();
      const reversed = { ...set!, keys: [...set!.keys].reverse() };
      expect((await keys.read())!.keys).toEqual(set!.keys);
      expect(reversed.keys).not.toEqual(set!.keys);
    });

    it('two writers due for the same rotation rotate once: the second recomputes and finds it done', async () => {
      const factory = fakeKeyFactory();
      await create(factory);
      const due = T0 + policy.rotationIntervalMs;
      const other = createKeyRepository(db);
      // Both compute from the same version before either commits.
      let arrived = 0;
      let release!: () => void;
      const bothComputed = new Promise<void>((resolve) => (release = resolve));
      let calls = 0;
      const rotateWhenDue = async (current: KeySet | null): Promise<KeySetChange | null> => {
        calls++;
        const change = await maintainKeySet(current, due, policy, factory);
        if (++arrived === 2) release();
        await bothComputed;
        return change;
      };
      const results = await Promise.all([keys.update(rotateWhenDue), other.update(rotateWhenDue)]);
      expect(results.map((result) => result.changed).sort()).toEqual([null, 'rotated']);
      expect(calls).toBe(3);
      const read = (await keys.read())!;
      expect(read.version).toBe(2);
      expect(states(read)).toEqual([
        'ES256:active',
        'ES256:pending',
        'ES256:retired',
        'RS256:active',
        'RS256:pending',
        'RS256:retired',
      ]);
    });

    it('gives up with a typed error when every attempt loses to another writer', async () => {
      const factory = fakeKeyFactory();
      await create(factory);
      const other = createKeyRepository(db);
      let tick = T0;
      const rotate = (current: KeySet | null) => rotateKeySet(current!, ++tick, policy, factory);
      await expect(
        keys.update(async (current) => {
          const mine = await rotate(current);
          await other.update(rotate); // commits first, every time
          return mine;
        }),
      ).rejects.toBeInstanceOf(KeySetContentionError);
    });

    it('refuses, in the database itself, a second active or pending key for one algorithm', async () => {
      const { set } = await create();
      const active = set!.keys.find((key) => key.alg === 'RS256' && keyState(key) === 'active')!;
      const insert = (kid: string, activatedAt: Date | null) =>
        db.query(
          `INSERT INTO signing_keys (kid, alg, public_jwk, private_key, created_at, activated_at)
           VALUES ($1, 'RS256', $2, $3, now(), $4)`,
          [
            kid,
            JSON.stringify({ ...active.publicJwk, kid }),
            JSON.stringify(active.privateKey),
            activatedAt,
          ],
        );
      await expect(insert('second-active', new Date(T0))).rejects.toThrow();
      await expect(insert('second-pending', null)).rejects.toThrow();
      expect(states(await keys.read())).toHaveLength(4);
    });

    it('refuses a row no writer of this IdP could have made', async () => {
      await create();
      await db.query(`UPDATE signing_keys SET public_jwk = '{}' WHERE alg = 'ES256'`);
      await expect(keys.read()).rejects.toBeInstanceOf(KeySetCorruptError);
    });
  });
}
