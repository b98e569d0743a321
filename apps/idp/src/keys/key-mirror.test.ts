import {
  encodeStoreLayout,
  revocationKeys,
  STORE_LAYOUT_VERSION,
  storeKeys,
  storeLayoutKey,
} from '@latchkey/protocol';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory-store.js';
import { ReplicationTimeoutError, type Store } from '../store/store.js';
import { StoreLayoutError } from '../store/store-layout.js';
import { fakeKeyFactory } from '../test-support/fake-key-factory.js';
import { maintainKeySet, revokeKey, type KeyPolicy } from './key-lifecycle.js';
import { createKeyMirror, parseCopy } from './key-mirror.js';
import type { KeySet } from './key-set.js';

const HOUR = 3_600_000;
const policy: KeyPolicy = { algorithms: ['ES256'], rotationIntervalMs: HOUR, retentionMs: HOUR };
const T0 = Date.UTC(2026, 11, 3, 12);

async function setWithRevokedKey(): Promise<{ set: KeySet; revokedKid: string }> {
  const factory = fakeKeyFactory();
  const first = (await maintainKeySet(null, T0, policy, factory))!.set;
  const revokedKid = first.keys[0]!.kid;
  const set = (await revokeKey(first, revokedKid, T0 + 1, policy, factory))!.set;
  return { set, revokedKid };
}

function setup(at = T0 + 2) {
  const store = createMemoryStore({ now: () => at });
  const mirror = createKeyMirror(store, { retentionMs: policy.retentionMs, now: () => at });
  return { store, mirror };
}

describe('the key set copy in Redis', () => {
  it('found gone (Redis emptied): writes back the layout marker, key revocations and the copy', async () => {
    const { store, mirror } = setup();
    const { set, revokedKid } = await setWithRevokedKey();
    expect(await mirror.sync(set)).toBe('restored');
    expect(await store.get(storeLayoutKey)).toBe(encodeStoreLayout(STORE_LAYOUT_VERSION));
    expect(parseCopy((await store.get(storeKeys.keySet))!)).toEqual(set);
    const revoked = await store.setMembers(revocationKeys.set);
    expect([...revoked.keys()]).toEqual([`kid:${revokedKid}`]);
    expect(revoked.get(`kid:${revokedKid}`)).toBe(T0 + 1 + policy.retentionMs);
  });

  it('does not write back the revocation of a key past its retention', async () => {
    const { store, mirror } = setup(T0 + 1 + policy.retentionMs);
    const { set } = await setWithRevokedKey();
    expect(await mirror.sync(set)).toBe('restored');
    expect((await store.setMembers(revocationKeys.set)).size).toBe(0);
  });

  it('only ever moves forward: an equal or newer copy is left alone, an older one replaced', async () => {
    const { store, mirror } = setup();
    const { set } = await setWithRevokedKey();
    const newer = JSON.stringify({ ...set, version: set.version + 1 });
    await store.set(storeKeys.keySet, newer);
    expect(await mirror.sync(set)).toBe('current');
    expect(await store.get(storeKeys.keySet)).toBe(newer);

    await store.set(storeKeys.keySet, JSON.stringify({ ...set, version: set.version - 1 }));
    expect(await mirror.sync(set)).toBe('updated');
    expect(parseCopy((await store.get(storeKeys.keySet))!)?.version).toBe(set.version);
  });

  it('replaces a copy that no IdP could have written', async () => {
    const { store, mirror } = setup();
    const { set } = await setWithRevokedKey();
    for (const junk of [
      'not json',
      '[]',
      '{"version":"7","keys":[]}',
      '{"version":9,"keys":[1]}',
    ]) {
      await store.set(storeKeys.keySet, junk);
      expect(parseCopy(junk)).toBeNull();
      expect(await mirror.sync(set)).toBe('updated');
      expect(parseCopy((await store.get(storeKeys.keySet))!)).toEqual(set);
    }
  });

  it('writes nothing into a Redis that another layout claimed after it was emptied', async () => {
    const { store, mirror } = setup();
    const { set } = await setWithRevokedKey();
    await store.set(storeLayoutKey, encodeStoreLayout(STORE_LAYOUT_VERSION + 1));
    await expect(mirror.sync(set)).rejects.toBeInstanceOf(StoreLayoutError);
    expect(await store.get(storeKeys.keySet)).toBeNull();
    expect((await store.setMembers(revocationKeys.set)).size).toBe(0);
  });

  it('reads the copy back for adoption, or null when there is none', async () => {
    const { mirror } = setup();
    expect(await mirror.read()).toBeNull();
    const { set } = await setWithRevokedKey();
    await mirror.sync(set);
    expect(await mirror.read()).toEqual(set);
  });
});

describe('a key change confirmed only once replicated (REDIS_WAIT_REPLICAS)', () => {
  function replicatedSetup(acknowledged: number) {
    const at = T0 + 2;
    const memory = createMemoryStore({ now: () => at });
    const asked: number[] = [];
    const store: Store = {
      ...memory,
      waitForReplicas: (_key, replicas) => {
        asked.push(replicas);
        return Promise.resolve(acknowledged);
      },
      // The confirmed writes go on durable(): the same stand-in, so its WAIT is the one asked.
      durable: () => store,
    };
    const mirror = createKeyMirror(store, {
      retentionMs: policy.retentionMs,
      now: () => at,
      replication: { replicas: 1, timeoutMs: 100 },
    });
    return { mirror, asked };
  }

  it('waits for the replica after writing the copy', async () => {
    const { mirror, asked } = replicatedSetup(1);
    const { set } = await setWithRevokedKey();
    expect(await mirror.sync(set)).toBe('restored');
    expect(asked).toEqual([1]);
  });

  it('fails closed (503) when no replica acknowledged in time', async () => {
    const { mirror } = replicatedSetup(0);
    const { set } = await setWithRevokedKey();
    await expect(mirror.sync(set)).rejects.toBeInstanceOf(ReplicationTimeoutError);
  });
});
