import { storeKeys } from '@latchkey/protocol';
import type { DeviceConfig } from '../../config/config.js';
import type { Store } from '../../store/store.js';
import { parseStoredRecord } from '../../store/stored-record.js';
import { digestToken, looksLikeOpaqueToken, newOpaqueToken } from '../../tokens/opaque-token.js';
import { newUserCode } from './user-code.js';

/** Who approved a device: the browser session its tokens belong to (and end with). */
export interface DeviceApproval {
  readonly sid: string;
  readonly sub: string;
  /** Epoch seconds. */
  readonly authTime: number;
  readonly amr?: readonly string[];
  readonly acr?: string;
}

/** One RFC 8628 authorization, stored under the digest of its device code. */
export interface DeviceAuthorization {
  readonly clientId: string;
  readonly scope: readonly string[];
  readonly resources: readonly string[];
  /** Stored form (8 letters). */
  readonly userCode: string;
  /** Epoch ms: after it the device gets `expired_token`. */
  readonly expiresAt: number;
  /** Seconds; raised by 5 at each `slow_down` (§3.5) and remembered. */
  readonly intervalSec: number;
  /** Epoch ms of the last poll, null before the first. */
  readonly lastPollAt: number | null;
  readonly status: 'pending' | 'approved' | 'denied' | 'used';
  readonly approval?: DeviceApproval;
}

export type PollOutcome =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'used' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'slow_down'; readonly intervalSec: number }
  | { readonly kind: 'pending' }
  | { readonly kind: 'denied' }
  | { readonly kind: 'approved'; readonly authorization: DeviceAuthorization };

/** A pending authorization found by its user code, with what is needed to decide on it. */
export interface FoundByUserCode {
  readonly digest: string;
  readonly raw: string;
  readonly authorization: DeviceAuthorization;
}

/**
 * The record is kept this long past its expiry, so a late poll is told `expired_token`
 * rather than `invalid_grant` (which would read as a bug in the device).
 */
const KEEP_AFTER_EXPIRY_MS = 10 * 60_000;
/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval. */
const SLOW_DOWN_STEP_SEC = 5;
const USER_CODE_ATTEMPTS = 5;

export interface DeviceAuthorizations {
  start(request: {
    clientId: string;
    scope: readonly string[];
    resources: readonly string[];
  }): Promise<{ deviceCode: string; userCode: string; expiresInSec: number; intervalSec: number }>;
  /** The pending, unexpired authorization a user code stands for; null for any other code. */
  findPending(userCode: string): Promise<FoundByUserCode | null>;
  /**
   * Approves or denies, once: false when the authorization changed meanwhile (another tab
   * decided, it expired). The user code stops working either way.
   */
  decide(found: FoundByUserCode, approval: DeviceApproval | null): Promise<boolean>;
  /** One poll of the token endpoint by `clientId` (§3.4, §3.5). */
  poll(deviceCode: string, clientId: string): Promise<PollOutcome>;
}

export function createDeviceAuthorizations(
  store: Store,
  config: DeviceConfig,
  now: () => number,
): DeviceAuthorizations {
  const keepFor = (record: DeviceAuthorization) =>
    Math.max(1, record.expiresAt + KEEP_AFTER_EXPIRY_MS - now());

  return {
    async start({ clientId, scope, resources }) {
      const deviceCode = newOpaqueToken();
      const digest = digestToken(deviceCode);
      // A user code is short: make sure it names no other live authorization.
      let userCode: string | null = null;
      for (let attempt = 0; attempt < USER_CODE_ATTEMPTS && userCode === null; attempt++) {
        const candidate = newUserCode();
        const free = await store.set(storeKeys.userCode(candidate), digest, {
          ttlMs: config.codeTtlMs,
          ifAbsent: true,
        });
        if (free) userCode = candidate;
      }
      if (userCode === null) throw new Error('no free user code after several attempts');
      const record: DeviceAuthorization = {
        clientId,
        scope,
        resources,
        userCode,
        expiresAt: now() + config.codeTtlMs,
        intervalSec: config.pollIntervalSec,
        lastPollAt: null,
        status: 'pending',
      };
      await store.set(storeKeys.deviceCode(digest), JSON.stringify(record), {
        ttlMs: keepFor(record),
      });
      return {
        deviceCode,
        userCode,
        expiresInSec: Math.floor(config.codeTtlMs / 1000),
        intervalSec: config.pollIntervalSec,
      };
    },

    async findPending(userCode) {
      const digest = await store.get(storeKeys.userCode(userCode));
      if (digest === null) return null;
      const raw = await store.get(storeKeys.deviceCode(digest));
      const authorization = raw === null ? null : parse(raw);
      if (raw === null || authorization === null) return null;
      if (authorization.status !== 'pending' || authorization.expiresAt <= now()) return null;
      if (authorization.userCode !== userCode) return null;
      return { digest, raw, authorization };
    },

    async decide({ digest, raw, authorization }, approval) {
      const next: DeviceAuthorization = approval
        ? { ...authorization, status: 'approved', approval }
        : { ...authorization, status: 'denied' };
      const won = await store.compareAndSet(
        storeKeys.deviceCode(digest),
        raw,
        JSON.stringify(next),
        { ttlMs: keepFor(next) },
      );
      await store.delete(storeKeys.userCode(authorization.userCode));
      return won;
    },

    async poll(deviceCode, clientId) {
      if (!looksLikeOpaqueToken(deviceCode)) return { kind: 'unknown' };
      const key = storeKeys.deviceCode(digestToken(deviceCode));
      const raw = await store.get(key);
      const record = raw === null ? null : parse(raw);
      // Another client's device code is refused like an unknown one, and left untouched.
      if (raw === null || record === null || record.clientId !== clientId) {
        return { kind: 'unknown' };
      }
      if (record.status === 'used') return { kind: 'used' };
      const at = now();
      if (record.expiresAt <= at) return { kind: 'expired' };
      if (record.lastPollAt !== null && at - record.lastPollAt < record.intervalSec * 1000) {
        const slower = {
          ...record,
          intervalSec: record.intervalSec + SLOW_DOWN_STEP_SEC,
          lastPollAt: at,
        };
        await store.compareAndSet(key, raw, JSON.stringify(slower), { ttlMs: keepFor(slower) });
        return { kind: 'slow_down', intervalSec: slower.intervalSec };
      }
      const polled: DeviceAuthorization = {
        ...record,
        lastPollAt: at,
        ...(record.status === 'approved' && { status: 'used' }),
      };
      // Of concurrent polls one wins; the others polled too fast by definition.
      const won = await store.compareAndSet(key, raw, JSON.stringify(polled), {
        ttlMs: keepFor(polled),
      });
      if (!won) return { kind: 'slow_down', intervalSec: record.intervalSec };
      if (record.status === 'approved') return { kind: 'approved', authorization: record };
      return { kind: record.status };
    },
  };
}

function parse(raw: string): DeviceAuthorization | null {
  return parseStoredRecord<DeviceAuthorization>(
    raw,
    (value) =>
      typeof value.clientId === 'string' &&
      typeof value.userCode === 'string' &&
      Array.isArray(value.scope) &&
      Array.isArray(value.resources) &&
      typeof value.expiresAt === 'number' &&
      typeof value.intervalSec === 'number' &&
      (value.lastPollAt === null || typeof value.lastPollAt === 'number') &&
      ['pending', 'approved', 'denied', 'used'].includes(value.status as string) &&
      (value.status !== 'approved' ||
        (typeof value.approval === 'object' && value.approval !== null)),
  );
}
