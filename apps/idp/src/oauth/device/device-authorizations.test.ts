import { storeKeys } from '@latchkey/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../store/memory-store.js';
import type { Store } from '../../store/store.js';
import { createDeviceAuthorizations, type DeviceAuthorizations } from './device-authorizations.js';

/** The storage side of RFC 8628 on the memory store, with a clock the tests move. */
let clock = 1_800_000_000_000;
let store: Store;
let devices: DeviceAuthorizations;
const request = { clientId: 'tv', scope: ['openid'], resources: ['https://api.example/'] };
const approval = { sid: 'sid-1', sub: 'user-1', authTime: 1_800_000_000 };

beforeEach(() => {
  store = createMemoryStore({ now: () => clock });
  devices = createDeviceAuthorizations(
    store,
    { codeTtlMs: 600_000, pollIntervalSec: 5 },
    () => clock,
  );
});

describe('RFC 8628 §3.5 polling', () => {
  it('pending, slow_down (+5 s, remembered), pending again once the longer interval passed', async () => {
    const { deviceCode } = await devices.start(request);
    expect(await devices.poll(deviceCode, 'tv')).toEqual({ kind: 'pending' });
    clock += 4_000;
    expect(await devices.poll(deviceCode, 'tv')).toEqual({ kind: 'slow_down', intervalSec: 10 });
    clock += 6_000;
    expect(await devices.poll(deviceCode, 'tv')).toEqual({ kind: 'slow_down', intervalSec: 15 });
    clock += 15_000;
    expect(await devices.poll(deviceCode, 'tv')).toEqual({ kind: 'pending' });
  });

  it('expired after its lifetime, still told apart from an unknown code', async () => {
    const { deviceCode } = await devices.start(request);
    clock += 600_000;
    expect(await devices.poll(deviceCode, 'tv')).toEqual({ kind: 'expired' });
    expect(await devices.poll('A'.repeat(43), 'tv')).toEqual({ kind: 'unknown' });
  });

  it('an approved code is taken by exactly one of many concurrent polls', async () => {
    const { deviceCode, userCode } = await devices.start(request);
    const found = (await devices.findPending(userCode))!;
    expect(await devices.decide(found, approval)).toBe(true);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => devices.poll(deviceCode, 'tv')),
    );
    expect(outcomes.filter((outcome) => outcome.kind === 'approved')).toHaveLength(1);
    clock += 60_000;
    expect(await devices.poll(deviceCode, 'tv')).toEqual({ kind: 'used' });
  });

  it("another client's poll is unknown and leaves the code untouched", async () => {
    const { deviceCode } = await devices.start(request);
    expect(await devices.poll(deviceCode, 'other')).toEqual({ kind: 'unknown' });
    expect(await devices.poll(deviceCode, 'tv')).toEqual({ kind: 'pending' });
  });
});

describe('user codes', () => {
  it('stand for one pending authorization, once: decided, they are gone', async () => {
    const { userCode } = await devices.start(request);
    const found = (await devices.findPending(userCode))!;
    expect(found.authorization.clientId).toBe('tv');
    expect(await devices.decide(found, null)).toBe(true);
    expect(await devices.findPending(userCode)).toBeNull();
    expect(await store.get(storeKeys.userCode(userCode))).toBeNull();
  });

  it('of two decisions on the same page, only the first counts', async () => {
    const { userCode } = await devices.start(request);
    const first = (await devices.findPending(userCode))!;
    const second = (await devices.findPending(userCode))!;
    expect(await devices.decide(first, null)).toBe(true);
    expect(await devices.decide(second, approval)).toBe(false);
  });

  it('are not found once expired', async () => {
    const { userCode } = await devices.start(request);
    clock += 600_001;
    expect(await devices.findPending(userCode)).toBeNull();
  });

  it('are stored digest-only: the device code itself is not in the store', async () => {
    const { deviceCode, userCode } = await devices.start(request);
    const digest = await store.get(storeKeys.userCode(userCode));
    expect(digest).not.toContain(deviceCode);
    expect(await store.get(storeKeys.deviceCode(deviceCode))).toBeNull();
  });
});
