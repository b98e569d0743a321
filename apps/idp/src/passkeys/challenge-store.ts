import { randomBytes } from 'node:crypto';
import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../store/store.js';
import { parseStoredRecord } from '../store/stored-record.js';
import { digestToken, looksLikeOpaqueToken, newOpaqueToken } from '../tokens/opaque-token.js';
import { CEREMONY_TIMEOUT_MS } from './passkey-ceremonies.js';

/**
 * What a challenge was issued for, and to whom. A response is accepted only by the ceremony
 * its challenge was made for: an enrolment's for the session and user that asked (its form
 * also carries the session's CSRF token), a sign-in's for the pending login whose form asked
 * (whose CSRF token is bound to this browser by a cookie, login/csrf-cookie.ts). So a
 * challenge cannot be carried to another browser, another user or another login.
 */
export type ChallengeBinding =
  | { readonly purpose: 'register'; readonly sub: string; readonly sid: string }
  | { readonly purpose: 'login'; readonly authz: string }
  | { readonly purpose: 'second-factor'; readonly sub: string; readonly authz: string };

export type ChallengeRecord = ChallengeBinding & {
  /** base64url of 32 random bytes: what the authenticator signs over. */
  readonly challenge: string;
  readonly expiresAt: number;
};

/**
 * Server-made WebAuthn challenges (WebAuthn §13.4.3): 256 random bits each, kept in the store
 * for the ceremony's timeout and taken (read and deleted in one step) by the first response,
 * whatever its outcome: a challenge never verifies twice. The handle the page carries to
 * name it is another random value; the store keys it by its digest.
 */
export interface ChallengeStore {
  issue(binding: ChallengeBinding, nowMs: number): Promise<{ handle: string; challenge: string }>;
  /** The record, once: null when unknown, used, expired or of another shape. */
  take(handle: string | undefined, nowMs: number): Promise<ChallengeRecord | null>;
}

export function createChallengeStore(store: Store): ChallengeStore {
  return {
    async issue(binding, nowMs) {
      const handle = newOpaqueToken();
      const challenge = randomBytes(32).toString('base64url');
      const record: ChallengeRecord = {
        ...binding,
        challenge,
        expiresAt: nowMs + CEREMONY_TIMEOUT_MS,
      };
      await store.set(storeKeys.webauthnChallenge(digestToken(handle)), JSON.stringify(record), {
        ttlMs: CEREMONY_TIMEOUT_MS,
      });
      return { handle, challenge };
    },

    async take(handle, nowMs) {
      if (handle === undefined || !looksLikeOpaqueToken(handle)) return null;
      const raw = await store.take(storeKeys.webauthnChallenge(digestToken(handle)));
      if (raw === null) return null;
      const record = parseStoredRecord<ChallengeRecord>(raw, hasShape);
      return record && record.expiresAt > nowMs ? record : null;
    },
  };
}

function hasShape(value: Partial<ChallengeRecord>): boolean {
  if (typeof value.challenge !== 'string' || typeof value.expiresAt !== 'number') return false;
  const v = value as Record<string, unknown>;
  switch (value.purpose) {
    case 'register':
      return typeof v.sub === 'string' && typeof v.sid === 'string';
    case 'login':
      return typeof v.authz === 'string';
    case 'second-factor':
      return typeof v.sub === 'string' && typeof v.authz === 'string';
    default:
      return false;
  }
}
