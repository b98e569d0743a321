import { encodeStoreLayout, STORE_LAYOUT_VERSION, storeLayoutKey } from '@latchkey/protocol';
import { waitFor } from '@latchkey/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createMemoryStore } from './memory-store.js';
import { guardStoreLayout, type StoreLayoutGuard } from './store-layout-guard.js';
import { claimStoreLayout, StoreLayoutError } from './store-layout.js';

/** The claim's rules on the memory store; the IdP process on a real Redis is in *.integration.*. */

const OTHER = encodeStoreLayout(STORE_LAYOUT_VERSION + 1);
const guards: StoreLayoutGuard[] = [];
afterEach(() => guards.splice(0).forEach((guard) => guard.stop()));

describe('claimStoreLayout', () => {
  it('writes its layout into an empty store, and accepts its own', async () => {
    const store = createMemoryStore();
    await claimStoreLayout(store);
    expect(await store.get(storeLayoutKey)).toBe(String(STORE_LAYOUT_VERSION));
    await expect(claimStoreLayout(store)).resolves.toBeUndefined();
  });

  it('refuses another layout, naming both, and leaves it in place', async () => {
    const store = createMemoryStore();
    await store.set(storeLayoutKey, OTHER);
    const error: unknown = await claimStoreLayout(store).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(StoreLayoutError);
    expect(error).toMatchObject({
      code: 'ERR_STORE_LAYOUT',
      expected: STORE_LAYOUT_VERSION,
      found: STORE_LAYOUT_VERSION + 1,
    });
    expect(await store.get(storeLayoutKey)).toBe(OTHER);
  });
});

describe('guardStoreLayout', () => {
  it('renews the claim after the store forgot it, and reports another layout that turned up', async () => {
    const store = createMemoryStore();
    const mismatches: StoreLayoutError[] = [];
    const guard = await guardStoreLayout(store, {
      logger: silentLogger,
      onMismatch: (error) => mismatches.push(error),
      intervalMs: 10,
    });
    guards.push(guard);
    await store.delete(storeLayoutKey); // a Redis restarted empty
    await waitFor(
      'the claim to be renewed',
      async () => (await store.get(storeLayoutKey)) !== null,
    );

    await store.set(storeLayoutKey, OTHER); // emptied, then claimed by another version
    await waitFor('the mismatch to be reported', () => mismatches.length > 0);
    expect(mismatches[0]).toMatchObject({ code: 'ERR_STORE_LAYOUT' });
  });

  it('rejects at once on a store of another layout', async () => {
    const store = createMemoryStore();
    await store.set(storeLayoutKey, OTHER);
    await expect(
      guardStoreLayout(store, { logger: silentLogger, onMismatch: () => {} }),
    ).rejects.toMatchObject({ code: 'ERR_STORE_LAYOUT' });
  });
});
