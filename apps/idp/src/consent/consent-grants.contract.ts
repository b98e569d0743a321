import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createUserRepository } from '../users/user.js';
import { createConsentGrants, grantCovers, type ConsentGrants } from './consent-grants.js';

/**
 * What the consent grants promise on every backend (PGlite and a PostgreSQL server run the
 * same SQL): the suite runs once per backend, on a migrated database of its own.
 */
export function consentGrantsContract(name: string, open: () => Promise<Database>): void {
  describe(`ConsentGrants contract: ${name}`, () => {
    let db: Database;
    let grants: ConsentGrants;
    beforeAll(async () => {
      db = await open();
      grants = createConsentGrants(db);
    }, 60_000);
    afterAll(async () => {
      await db?.close();
    });

    let serial = 0;
    const someUser = async () => {
      serial += 1;
      const id = `u-consent-${serial}`;
      await createUserRepository(db).save({
        id,
        username: `consent-${serial}`,
        passwordHash: 'not-a-real-hash',
        roles: ['user'],
        state: 'active',
      });
      return id;
    };

    it('finds nothing before the user allowed anything', async () => {
      const user = await someUser();
      expect(await grants.find(user, 'partner')).toBeNull();
      expect(await grants.listForUser(user)).toEqual([]);
    });

    it('remembers the scopes allowed, sorted and once each', async () => {
      const user = await someUser();
      const made = await grants.grant(user, 'partner', ['profile', 'openid', 'profile']);
      expect(made).toMatchObject({ clientId: 'partner', scopes: ['openid', 'profile'] });
      expect(made.grantedAt).toBeInstanceOf(Date);
      expect(await grants.find(user, 'partner')).toEqual(made);
    });

    it('adds new scopes to the grant, keeping the ones allowed before', async () => {
      const user = await someUser();
      const first = await grants.grant(user, 'partner', ['openid', 'profile']);
      const second = await grants.grant(user, 'partner', ['openid', 'email']);
      expect(second.scopes).toEqual(['email', 'openid', 'profile']);
      expect(second.grantedAt).toEqual(first.grantedAt);
      expect(grantCovers(second, ['openid', 'email'])).toBe(true);
      expect(grantCovers(second, ['openid', 'offline_access'])).toBe(false);
      expect(grantCovers(null, ['openid'])).toBe(false);
    });

    it('keeps users and clients apart', async () => {
      const alice = await someUser();
      const bob = await someUser();
      await grants.grant(alice, 'partner', ['openid']);
      await grants.grant(alice, 'other', ['openid', 'email']);
      expect(await grants.find(bob, 'partner')).toBeNull();
      expect((await grants.listForUser(alice)).map((g) => g.clientId)).toEqual([
        'other',
        'partner',
      ]);
    });

    it('revokes one grant, and says whether there was one', async () => {
      const user = await someUser();
      await grants.grant(user, 'partner', ['openid']);
      await grants.grant(user, 'other', ['openid']);
      expect(await grants.revoke(user, 'partner')).toBe(true);
      expect(await grants.revoke(user, 'partner')).toBe(false);
      expect(await grants.find(user, 'partner')).toBeNull();
      expect(await grants.find(user, 'other')).not.toBeNull();
    });

    it('answers a client id that could never be registered without an error', async () => {
      const user = await someUser();
      expect(await grants.find(user, 'bad\u0000id')).toBeNull();
      expect(await grants.revoke(user, 'bad\u0000id')).toBe(false);
    });

    it('goes with the user', async () => {
      const user = await someUser();
      await grants.grant(user, 'partner', ['openid']);
      await db.query('DELETE FROM users WHERE id = $1', [user]);
      expect(await grants.listForUser(user)).toEqual([]);
    });
  });
}
