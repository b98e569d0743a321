import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../../store/store.js';
import { parseStoredRecord } from '../../store/stored-record.js';
import { digestToken, looksLikeOpaqueToken, newOpaqueToken } from '../../tokens/opaque-token.js';

/** RFC 9126 §2.2: the URN namespace a `request_uri` is minted in. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/**
 * RFC 9126 §2.2 suggests 5 to 600 seconds; a minute is plenty for a redirect that follows at
 * once, and short enough that a leaked URI is soon worthless.
 */
export const PUSHED_REQUEST_TTL_MS = 60_000;

/** The authorization parameters one client pushed, kept until /authorize takes them. */
interface PushedRequest {
  readonly clientId: string;
  /** Name → values, as sent (client credentials left out). */
  readonly params: Record<string, string[]>;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export type TakeOutcome =
  | { readonly kind: 'taken'; readonly params: ReadonlyMap<string, readonly string[]> }
  /** Unknown, expired or already used: RFC 9126 §4 treats them alike. */
  | { readonly kind: 'invalid' }
  /** Pushed by another client than the one /authorize names; left in place. */
  | { readonly kind: 'other-client' };

export interface PushedRequests {
  push(
    clientId: string,
    params: ReadonlyMap<string, readonly string[]>,
  ): Promise<{ requestUri: string; expiresInSec: number }>;
  /** Takes the request for `clientId`, once (of concurrent takes, one gets it). */
  take(requestUri: string, clientId: string): Promise<TakeOutcome>;
}

/**
 * Pushed requests in the store, under the digest of the URI's random part: a dump of the store
 * names no URI that could be presented.
 */
export function createPushedRequests(store: Store, now: () => number): PushedRequests {
  return {
    async push(clientId, params) {
      const handle = newOpaqueToken();
      const record: PushedRequest = {
        clientId,
        params: Object.fromEntries([...params].map(([name, values]) => [name, [...values]])),
        expiresAt: now() + PUSHED_REQUEST_TTL_MS,
      };
      await store.set(
        storeKeys.pushedAuthorizationRequest(digestToken(handle)),
        JSON.stringify(record),
        {
          ttlMs: PUSHED_REQUEST_TTL_MS,
        },
      );
      return {
        requestUri: REQUEST_URI_PREFIX + handle,
        expiresInSec: PUSHED_REQUEST_TTL_MS / 1000,
      };
    },

    async take(requestUri, clientId) {
      const handle = requestUri.startsWith(REQUEST_URI_PREFIX)
        ? requestUri.slice(REQUEST_URI_PREFIX.length)
        : '';
      if (!looksLikeOpaqueToken(handle)) return { kind: 'invalid' };
      const key = storeKeys.pushedAuthorizationRequest(digestToken(handle));
      // Read first: another client naming this URI must not be able to burn it.
      const seen = await store.get(key);
      const record = seen === null ? null : parse(seen);
      if (record === null || record.expiresAt <= now()) return { kind: 'invalid' };
      if (record.clientId !== clientId) return { kind: 'other-client' };
      // The atomic take decides single use: a second /authorize with this URI finds nothing.
      const taken = await store.take(key);
      if (taken !== seen) return { kind: 'invalid' };
      return { kind: 'taken', params: new Map(Object.entries(record.params)) };
    },
  };
}

function parse(raw: string): PushedRequest | null {
  return parseStoredRecord<PushedRequest>(
    raw,
    (value) =>
      typeof value.clientId === 'string' &&
      typeof value.expiresAt === 'number' &&
      typeof value.params === 'object' &&
      value.params !== null &&
      Object.values(value.params).every(
        (values) => Array.isArray(values) && values.every((item) => typeof item === 'string'),
      ),
  );
}
