import type { AccessTokenClaims } from '@latchkey/protocol';
import type { VerificationKey } from './jwk.js';

/** An access token that passed every check, and the key its signature verified under. */
export interface VerifiedToken {
  readonly claims: AccessTokenClaims;
  readonly kid: string;
  readonly key: VerificationKey;
}

/**
 * Access tokens that passed every check, by their exact string, so that the next request
 * bearing the same token (one user, many requests) skips the signature and claim checks.
 * Only what a caller must still check per call is left to it: time and revocation, and that
 * the key is still the one published under its kid.
 *
 * Bounded: at `maxEntries` the oldest entry goes (insertion order, not use: a hit costs no
 * write). Only tokens whose signature verified get in, so attackers cannot fill it.
 */
export interface VerifiedTokenCache {
  get(token: string): VerifiedToken | undefined;
  add(token: string, entry: VerifiedToken): void;
  delete(token: string): void;
  readonly size: number;
}

export function createVerifiedTokenCache(maxEntries: number): VerifiedTokenCache {
  const entries = new Map<string, VerifiedToken>();
  return {
    get: (token) => entries.get(token),
    add(token, entry) {
      if (entries.size >= maxEntries && !entries.has(token)) {
        entries.delete(entries.keys().next().value!);
      }
      entries.set(token, entry);
    },
    delete(token) {
      entries.delete(token);
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * Freezes a claims object and everything in it. One object is handed to every caller that
 * presents the same token: none may change what the next one sees (a pushed role, say).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    // for-in, not Object.values: no array per object, and claims objects have no inherited
    // enumerable keys (JSON.parse makes plain objects and arrays). Most claims are strings and
    // numbers: tested here rather than in a call per claim.
    for (const name in value) {
      const child = value[name];
      if (typeof child === 'object' && child !== null) deepFreeze(child);
    }
  }
  return value;
}
