import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../store/store.js';
import { parseStoredRecord } from '../store/stored-record.js';
import { digestToken, looksLikeOpaqueToken, newOpaqueToken } from './opaque-token.js';

/** What an authorization code stands for: everything /token must check and then issue. */
export interface CodeGrant {
  readonly clientId: string;
  /** Exactly as sent to /authorize; /token must receive the same (RFC 6749 §4.1.3). */
  readonly redirectUri: string;
  /** PKCE S256 challenge (RFC 7636 §4.2). */
  readonly codeChallenge: string;
  readonly scope: readonly string[];
  /** RFC 8707 resources (the access token's `aud`). */
  readonly resources: readonly string[];
  readonly nonce?: string;
  readonly sid: string;
  readonly sub: string;
  /** Epoch seconds. */
  readonly authTime: number;
  /** How the session's user authenticated (RFC 8176), for the ID token's `amr`. */
  readonly amr?: readonly string[];
  /** The level that reached, for the ID token's `acr`. */
  readonly acr?: string;
  /**
   * RFC 9449 §10: the thumbprint of the DPoP key the client named at /authorize (`dpop_jkt`,
   * or the proof it sent with a pushed request); only a proof by that key redeems the code.
   */
  readonly dpopJkt?: string;
}

export type Redemption =
  | { readonly status: 'redeemed'; readonly grant: CodeGrant }
  /** Used before: RFC 6749 §4.1.2 asks to revoke what the first use issued. */
  | { readonly status: 'replayed'; readonly grant: CodeGrant }
  | { readonly status: 'unknown' };

/** The Contract's code lifetime: long enough for a redirect, too short to be worth stealing. */
const CODE_TTL_MS = 60_000;

interface StoredCode extends CodeGrant {
  used: boolean;
}

/** Stores the grant under the code's digest and returns the code (shown once, never stored). */
export async function issueAuthorizationCode(store: Store, grant: CodeGrant): Promise<string> {
  const code = newOpaqueToken();
  const stored: StoredCode = { ...grant, used: false };
  await store.set(storeKeys.authorizationCode(digestToken(code)), JSON.stringify(stored), {
    ttlMs: CODE_TTL_MS,
  });
  return code;
}

/**
 * Marks the code used, atomically: of any number of concurrent redemptions exactly one gets
 * `redeemed`; the others, and every later one within the code's lifetime, get `replayed`.
 * The used record is kept (rather than deleted) so that a replay can be recognised as such.
 */
export async function redeemAuthorizationCode(store: Store, code: string): Promise<Redemption> {
  if (!looksLikeOpaqueToken(code)) return { status: 'unknown' };
  const key = storeKeys.authorizationCode(digestToken(code));
  const raw = await store.get(key);
  const stored = raw === null ? null : parseStoredCode(raw);
  if (raw === null || stored === null) return { status: 'unknown' };
  const { used, ...grant } = stored;
  if (used) return { status: 'replayed', grant };
  const won = await store.compareAndSet(key, raw, JSON.stringify({ ...stored, used: true }), {
    ttlMs: CODE_TTL_MS,
  });
  return won ? { status: 'redeemed', grant } : { status: 'replayed', grant };
}

/**
 * Reads a code without marking it used, so /token can check who presents it (client,
 * redirect_uri, PKCE) before spending it: a code presented by the wrong party is neither
 * burnt nor treated as a replay. Only `redeemAuthorizationCode` decides who wins.
 */
export async function findAuthorizationCode(
  store: Store,
  code: string,
): Promise<{ readonly grant: CodeGrant; readonly used: boolean } | null> {
  if (!looksLikeOpaqueToken(code)) return null;
  const raw = await store.get(storeKeys.authorizationCode(digestToken(code)));
  const stored = raw === null ? null : parseStoredCode(raw);
  if (stored === null) return null;
  const { used, ...grant } = stored;
  return { grant, used };
}

function parseStoredCode(raw: string): StoredCode | null {
  return parseStoredRecord<StoredCode>(
    raw,
    (value) =>
      [value.clientId, value.redirectUri, value.codeChallenge, value.sid, value.sub].every(
        (item) => typeof item === 'string',
      ) &&
      Array.isArray(value.scope) &&
      Array.isArray(value.resources) &&
      typeof value.authTime === 'number' &&
      (value.amr === undefined || Array.isArray(value.amr)) &&
      (value.acr === undefined || typeof value.acr === 'string') &&
      (value.dpopJkt === undefined || typeof value.dpopJkt === 'string') &&
      typeof value.used === 'boolean',
  );
}
