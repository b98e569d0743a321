import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTestDatabase } from '../test-support/test-database.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';

/** Rotations and revocations of signing keys in the audit trail. */

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp({}, undefined, { database: await freshTestDatabase() });
});
afterAll(() => idp.close());

/** The key events since `since` (an event id), oldest first, as [type, reason, kid]. */
async function keyEventsAfter(since: number) {
  return (await idp.audit.list({}, 100))
    .filter((event) => event.type.startsWith('key.') && event.id > since)
    .reverse()
    .map((event) => [event.type, event.detail.reason, event.detail.kid]);
}
const lastId = async () => (await idp.audit.list({}, 1))[0]?.id ?? 0;
const activeKids = () =>
  idp.keys
    .list()
    .filter((key) => key.state === 'active')
    .map((key) => key.kid);

describe('signing keys in the audit trail', () => {
  it('the first keys: one key.rotated (reason created) per algorithm', async () => {
    const events = await keyEventsAfter(0);
    for (const kid of activeKids()) expect(events).toContainEqual(['key.rotated', 'created', kid]);
  });

  it('a rotation: each newly active key, once', async () => {
    const since = await lastId();
    await idp.keys.rotateNow();
    const events = await keyEventsAfter(since);
    expect(events.sort()).toEqual(
      activeKids()
        .map((kid) => ['key.rotated', 'rotated', kid])
        .sort(),
    );
  });

  it('a revocation: the key revoked, then its replacement', async () => {
    const since = await lastId();
    const [revoked] = activeKids();
    await idp.keys.revoke(revoked!);
    const events = await keyEventsAfter(since);
    expect(events[0]).toEqual(['key.revoked', 'revoked', revoked]);
    expect(events.slice(1)).toContainEqual(['key.rotated', 'revoked', expect.any(String)]);
    expect(activeKids()).not.toContain(revoked);
  });
});
