import { describe, expect, it } from 'vitest';
import { fakeKeyFactory } from '../test-support/fake-key-factory.js';
import {
  maintainKeySet,
  retireKeys,
  revokeKey,
  rotateKeySet,
  UnknownKeyError,
  type KeyPolicy,
} from './key-lifecycle.js';
import { keyState, type KeySet } from './key-set.js';

const HOUR = 3_600_000;
const policy: KeyPolicy = {
  algorithms: ['RS256', 'ES256'],
  rotationIntervalMs: 24 * HOUR,
  retentionMs: HOUR,
};
const T0 = Date.UTC(2026, 10, 26);

const states = (set: KeySet) => set.keys.map((key) => `${key.kid}:${keyState(key)}`);

async function initial(factory = fakeKeyFactory()): Promise<KeySet> {
  const change = await maintainKeySet(null, T0, policy, factory);
  return change!.set;
}

describe('key lifecycle', () => {
  it('creates one active and one pending key per algorithm on first start', async () => {
    const set = await initial();
    expect(set.version).toBe(1);
    expect(states(set)).toEqual([
      'RS256-1:active',
      'RS256-2:pending',
      'ES256-3:active',
      'ES256-4:pending',
    ]);
  });

  it('changes nothing while no rotation is due', async () => {
    const factory = fakeKeyFactory();
    const set = await initial(factory);
    expect(await maintainKeySet(set, T0 + 23 * HOUR, policy, factory)).toBeNull();
    expect(factory.made).toBe(4);
  });

  it('rotates when the interval has passed: pending signs, active retires, a new key is pre-published', async () => {
    const factory = fakeKeyFactory();
    const change = await maintainKeySet(await initial(factory), T0 + 24 * HOUR, policy, factory);
    expect(change?.reason).toBe('rotated');
    expect(change?.set.version).toBe(2);
    expect(states(change!.set)).toEqual([
      'RS256-1:retired',
      'RS256-2:active',
      'ES256-3:retired',
      'ES256-4:active',
      'RS256-5:pending',
      'ES256-6:pending',
    ]);
  });

  it('keeps a retired key published for the retention time, then drops it', async () => {
    const factory = fakeKeyFactory();
    const rotated = (await maintainKeySet(await initial(factory), T0 + 24 * HOUR, policy, factory))!
      .set;
    expect(await maintainKeySet(rotated, T0 + 24 * HOUR + HOUR - 1, policy, factory)).toBeNull();
    const pruned = await maintainKeySet(rotated, T0 + 25 * HOUR, policy, factory);
    expect(pruned?.reason).toBe('pruned');
    expect(pruned!.set.keys.map((key) => key.kid)).toEqual([
      'RS256-2',
      'ES256-4',
      'RS256-5',
      'ES256-6',
    ]);
  });

  it('rotates on demand by promoting the already-published pending key', async () => {
    const factory = fakeKeyFactory();
    const change = await rotateKeySet(await initial(factory), T0 + 1000, policy, factory);
    expect(change?.reason).toBe('rotated');
    expect(states(change!.set)).toContain('ES256-4:active');
    expect(states(change!.set)).toContain('ES256-3:retired');
  });

  it('revoking the active key makes its successor sign at once and removes it for good', async () => {
    const factory = fakeKeyFactory();
    const change = await revokeKey(await initial(factory), 'ES256-3', T0 + 1000, policy, factory);
    expect(change?.reason).toBe('revoked');
    expect(states(change!.set)).toEqual([
      'RS256-1:active',
      'RS256-2:pending',
      'ES256-3:revoked',
      'ES256-4:active',
      'ES256-5:pending',
    ]);
  });

  it('revoking a pending key pre-publishes a replacement', async () => {
    const factory = fakeKeyFactory();
    const change = await revokeKey(await initial(factory), 'RS256-2', T0, policy, factory);
    expect(states(change!.set)).toContain('RS256-2:revoked');
    expect(states(change!.set)).toContain('RS256-5:pending');
  });

  it('revoking twice changes nothing the second time', async () => {
    const factory = fakeKeyFactory();
    const once = (await revokeKey(await initial(factory), 'ES256-3', T0, policy, factory))!.set;
    expect(await revokeKey(once, 'ES256-3', T0 + 1, policy, factory)).toBeNull();
  });

  it('refuses to revoke an unknown kid', async () => {
    await expect(
      revokeKey(await initial(), 'nope', T0, policy, fakeKeyFactory()),
    ).rejects.toBeInstanceOf(UnknownKeyError);
  });

  it('retires the keys of an algorithm dropped from the configuration, keeping them published', async () => {
    const factory = fakeKeyFactory();
    const change = await maintainKeySet(
      await initial(factory),
      T0 + 1,
      { ...policy, algorithms: ['RS256'] },
      factory,
    );
    expect(states(change!.set)).toEqual([
      'RS256-1:active',
      'RS256-2:pending',
      'ES256-3:retired',
      'ES256-4:retired',
    ]);
  });

  it('retireKeys stops undecryptable keys from signing, and maintenance replaces them', async () => {
    const factory = fakeKeyFactory();
    const retired = retireKeys(
      await initial(factory),
      ['RS256-1', 'RS256-2', 'ES256-3', 'ES256-4'],
      T0,
    )!.set;
    const replaced = await maintainKeySet(retired, T0, policy, factory);
    expect(states(replaced!.set).filter((entry) => entry.endsWith(':active'))).toEqual([
      'RS256-5:active',
      'ES256-7:active',
    ]);
  });
});
