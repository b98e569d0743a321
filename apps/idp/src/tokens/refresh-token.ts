import { randomBytes, timingSafeEqual } from 'node:crypto';
import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../store/store.js';
import { parseStoredRecord } from '../store/stored-record.js';
import { digestToken, newOpaqueToken } from './opaque-token.js';

/** What a refresh token stands for: the grant of one code redemption, bound to its session. */
export interface RefreshGrant {
  readonly clientId: string;
  readonly sid: string;
  readonly sub: string;
  /** The scope of the original grant; a refresh may narrow it for one access token only. */
  readonly scope: readonly string[];
  readonly resources: readonly string[];
  /** Epoch seconds; carried into every ID token of the family (OIDC Core §12.2). */
  readonly authTime: number;
  /** The authentication's `amr` and `acr`, carried the same way. */
  readonly amr?: readonly string[];
  readonly acr?: string;
  /** RFC 9449 §5: a public client's family is bound to the thumbprint of its DPoP key. */
  readonly jkt?: string;
}

/** When the current token stops working (epoch ms), and the clock that decides the TTL. */
export interface RefreshLifetime {
  readonly expiresAt: number;
  readonly now: number;
  /**
   * Whether the family goes into its (user, client) index, which "Remove access" on the
   * account page reads: true for a third-party client, the only kind whose access a user can
   * remove. A first-party client's refresh pays no extra store write for it.
   */
  readonly removable?: boolean;
}

/**
 * One record per code redemption (a "family"). It holds the digest of the CURRENT token only:
 * rotation replaces it with one compare-and-set, so of any number of concurrent uses of a
 * token at most one rotates, and any other token of the family (older, or a lost race) is
 * recognisable as reuse because its family exists but its digest is not the current one.
 */
interface FamilyRecord extends RefreshGrant {
  readonly v: 1;
  readonly current: string;
  /** How many times it was rotated; makes every record unique, so a CAS can never ABA. */
  readonly generation: number;
  readonly expiresAt: number;
}

export interface PresentedRefreshToken {
  readonly familyId: string;
  readonly grant: RefreshGrant;
  /** Epoch ms at which the current token expires. */
  readonly expiresAt: number;
  /** False: an older token of the family, whose presentation means the family leaked. */
  readonly current: boolean;
  /** The record as read, for the compare-and-set of rotation. */
  readonly raw: string;
}

// Family id (128 bits) "." secret (256 bits), both base64url.
const SHAPE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/** Starts a family and returns its first token (shown once; only its digest is stored). */
export async function issueRefreshToken(
  store: Store,
  grant: RefreshGrant,
  { expiresAt, now, removable = false }: RefreshLifetime,
): Promise<string> {
  const familyId = randomBytes(16).toString('base64url');
  const secret = newOpaqueToken();
  const record: FamilyRecord = {
    v: 1,
    ...pickGrant(grant),
    current: digestToken(secret),
    generation: 0,
    expiresAt,
  };
  await Promise.all([
    store.set(storeKeys.refreshFamily(familyId), JSON.stringify(record), {
      ttlMs: Math.max(1, expiresAt - now),
      ifAbsent: true,
    }),
    removable ? indexFamily(store, grant, familyId, expiresAt) : undefined,
  ]);
  return `${familyId}.${secret}`;
}

/** True when the value has the shape of a Latchkey refresh token (not a JWT, not garbage). */
export function looksLikeRefreshToken(value: string): boolean {
  return SHAPE.test(value);
}

/** Reads the family of a presented token; null when the token is malformed or its family gone. */
export async function readRefreshToken(
  store: Store,
  token: string,
): Promise<PresentedRefreshToken | null> {
  const match = SHAPE.exec(token);
  if (!match) return null;
  const [, familyId, secret] = match as unknown as [string, string, string];
  const raw = await store.get(storeKeys.refreshFamily(familyId));
  const record = raw === null ? null : parseFamily(raw);
  if (raw === null || record === null) return null;
  const presented = Buffer.from(digestToken(secret));
  const expected = Buffer.from(record.current);
  const isCurrent = presented.length === expected.length && timingSafeEqual(presented, expected);
  return {
    familyId,
    grant: pickGrant(record),
    expiresAt: record.expiresAt,
    current: isCurrent,
    raw,
  };
}

/**
 * Replaces the family's current token, atomically. Resolves to the new token, or null when
 * another use of the same token rotated first (which the caller treats as reuse).
 */
export async function rotateRefreshToken(
  store: Store,
  presented: PresentedRefreshToken,
  { expiresAt, now, removable = false }: RefreshLifetime,
): Promise<string | null> {
  const record = parseFamily(presented.raw);
  if (!record || expiresAt <= now) return null;
  const secret = newOpaqueToken();
  const next: FamilyRecord = {
    ...record,
    current: digestToken(secret),
    generation: record.generation + 1,
    expiresAt,
  };
  // Indexed before the compare-and-set, never after: once the token has rotated, nothing may
  // fail before the client hears of it (its retry would be reuse, and end the session). A
  // lost race leaves only a later expiry on an index entry, which nothing relies on.
  if (removable) await indexFamily(store, record, presented.familyId, expiresAt);
  const won = await store.compareAndSet(
    storeKeys.refreshFamily(presented.familyId),
    presented.raw,
    JSON.stringify(next),
    { ttlMs: expiresAt - now },
  );
  return won ? `${presented.familyId}.${secret}` : null;
}

/** Ends the family: none of its tokens, current or old, will be accepted again. */
export async function revokeRefreshFamily(store: Store, familyId: string): Promise<void> {
  await store.delete(storeKeys.refreshFamily(familyId));
}

/**
 * Ends every family the user holds for the client (current and older tokens alike), found
 * through the (user, client) index: an app whose access the user removed keeps no way back
 * in. Resolves to how many families were ended.
 */
export async function revokeUserClientFamilies(
  store: Store,
  sub: string,
  clientId: string,
): Promise<number> {
  const index = storeKeys.userClientFamilies(sub, clientId);
  const families = [...(await store.setMembers(index)).keys()];
  // One key per call: the families and the index need not share a hash slot.
  const ended = await Promise.all(families.map((id) => store.delete(storeKeys.refreshFamily(id))));
  // Only the members read: a family a redemption adds meanwhile stays findable.
  if (families.length > 0) await store.removeFromSet(index, ...families);
  return ended.reduce((sum, count) => sum + count, 0);
}

/** Keeps the family in its (user, client) index until it expires. */
function indexFamily(
  store: Store,
  grant: Pick<RefreshGrant, 'sub' | 'clientId'>,
  familyId: string,
  expiresAt: number,
): Promise<void> {
  return store.addToSet(
    storeKeys.userClientFamilies(grant.sub, grant.clientId),
    familyId,
    expiresAt,
  );
}

function pickGrant(grant: RefreshGrant): RefreshGrant {
  const { clientId, sid, sub, scope, resources, authTime, amr, acr, jkt } = grant;
  return {
    clientId,
    sid,
    sub,
    scope: [...scope],
    resources: [...resources],
    authTime,
    ...(amr !== undefined && { amr: [...amr] }),
    ...(acr !== undefined && { acr }),
    ...(jkt !== undefined && { jkt }),
  };
}

function parseFamily(raw: string): FamilyRecord | null {
  return parseStoredRecord<FamilyRecord>(
    raw,
    (value) =>
      value.v === 1 &&
      [value.clientId, value.sid, value.sub, value.current].every((s) => typeof s === 'string') &&
      Array.isArray(value.scope) &&
      Array.isArray(value.resources) &&
      typeof value.authTime === 'number' &&
      (value.amr === undefined || Array.isArray(value.amr)) &&
      (value.acr === undefined || typeof value.acr === 'string') &&
      (value.jkt === undefined || typeof value.jkt === 'string') &&
      typeof value.generation === 'number' &&
      typeof value.expiresAt === 'number',
  );
}
