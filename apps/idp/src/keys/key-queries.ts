import { isSigningAlgorithm } from '@latchkey/protocol';
import type { Queryable } from '../db/database.js';
import type { EncryptedPrivateKey } from './key-encryption.js';
import { keyState, type KeyRecord, type KeySet, type KeyState, type PublicJwk } from './key-set.js';

/**
 * The SQL of the signing-key tables (db/migrations/003-signing-keys.ts), and nothing else:
 * the repository decides when to call it. Times travel as `timestamptz` and come back as
 * epoch milliseconds, which the column keeps exactly (it holds microseconds).
 */

interface KeyRow {
  version: number;
  kid: string | null;
  alg: string;
  public_jwk: unknown;
  private_key: unknown;
  created_at: Date;
  activated_at: Date | null;
  retired_at: Date | null;
  revoked_at: Date | null;
}

/** A stored row that no writer of this IdP could have made: refuse to guess. */
export class KeySetCorruptError extends Error {
  readonly code = 'ERR_KEY_SET_CORRUPT';
  constructor(detail: string) {
    super(`stored key set is unreadable: ${detail}`);
    this.name = 'KeySetCorruptError';
  }
}

/**
 * The whole set as of one snapshot: one statement, so the version and the keys always belong
 * together even while another IdP commits a change. Null before the first key was written.
 */
export async function selectKeySet(db: Queryable): Promise<KeySet | null> {
  const rows = await db.query<KeyRow>(
    `SELECT s.version, k.kid, k.alg, k.public_jwk, k.private_key,
            k.created_at, k.activated_at, k.retired_at, k.revoked_at
       FROM signing_key_set s LEFT JOIN signing_keys k ON true`,
  );
  if (rows.length === 0) return null;
  const keys = rows.filter((row) => row.kid !== null).map(toRecord);
  return { version: Number(rows[0]!.version), keys: canonicalOrder(keys) };
}

/**
 * Moves the version from `expected` (null: no set yet) to `next`. False when another writer
 * moved it first: the caller's change was computed from a set that is no longer there. The
 * UPDATE holds the row's lock until the transaction ends, so a concurrent writer waits for
 * this one's outcome and then finds the version moved.
 */
export async function claimVersion(
  tx: Queryable,
  expected: number | null,
  next: number,
): Promise<boolean> {
  const rows =
    expected === null
      ? await tx.query(
          `INSERT INTO signing_key_set (id, version) VALUES (true, $1)
             ON CONFLICT (id) DO NOTHING RETURNING version`,
          [next],
        )
      : await tx.query(
          `UPDATE signing_key_set SET version = $2, updated_at = now()
             WHERE id AND version = $1 RETURNING version`,
          [expected, next],
        );
  return rows.length === 1;
}

/**
 * Writes the difference between two sets. Keys that leave a signing slot are written before
 * keys that take one, so the one-active and one-pending indexes hold after every statement.
 */
export async function writeKeyChanges(
  tx: Queryable,
  before: KeySet | null,
  after: KeySet,
): Promise<void> {
  const previous = new Map(before?.keys.map((key) => [key.kid, key]));
  const kept = new Set(after.keys.map((key) => key.kid));
  const gone = [...previous.keys()].filter((kid) => !kept.has(kid));
  if (gone.length > 0) await tx.query('DELETE FROM signing_keys WHERE kid = ANY($1)', [gone]);

  const changed = after.keys.filter((key) => !sameRecord(previous.get(key.kid), key));
  const slotOrder: Record<KeyState, number> = { revoked: 0, retired: 0, active: 1, pending: 2 };
  changed.sort((a, b) => slotOrder[keyState(a)] - slotOrder[keyState(b)]);
  for (const key of changed) {
    await tx.query(
      `INSERT INTO signing_keys
         (kid, alg, public_jwk, private_key, created_at, activated_at, retired_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (kid) DO UPDATE SET
         activated_at = EXCLUDED.activated_at,
         retired_at = EXCLUDED.retired_at,
         revoked_at = EXCLUDED.revoked_at`,
      [
        key.kid,
        key.alg,
        JSON.stringify(key.publicJwk),
        JSON.stringify(key.privateKey),
        new Date(key.createdAt),
        toDate(key.activatedAt),
        toDate(key.retiredAt),
        toDate(key.revokedAt),
      ],
    );
  }
}

/**
 * One order for every reader and writer (oldest first, then kid), so that every IdP instance
 * serves the same /jwks bytes and the same ETag for one version.
 */
export function canonicalOrder(keys: readonly KeyRecord[]): KeyRecord[] {
  return [...keys].sort((a, b) => a.createdAt - b.createdAt || (a.kid < b.kid ? -1 : 1));
}

function sameRecord(a: KeyRecord | undefined, b: KeyRecord): boolean {
  return (
    a !== undefined &&
    a.activatedAt === b.activatedAt &&
    a.retiredAt === b.retiredAt &&
    a.revokedAt === b.revokedAt
  );
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const toMs = (date: Date | null): number | null => (date === null ? null : date.getTime());

function toRecord(row: KeyRow): KeyRecord {
  const kid = row.kid!;
  const publicJwk = parseJson(row.public_jwk) as PublicJwk | null;
  const privateKey = parseJson(row.private_key) as EncryptedPrivateKey | null;
  if (!isSigningAlgorithm(row.alg)) throw new KeySetCorruptError(`key ${kid} has alg ${row.alg}`);
  if (publicJwk?.kid !== kid || typeof privateKey?.data !== 'string') {
    throw new KeySetCorruptError(`key ${kid} is malformed`);
  }
  return {
    kid,
    alg: row.alg,
    createdAt: row.created_at.getTime(),
    activatedAt: toMs(row.activated_at),
    retiredAt: toMs(row.retired_at),
    revokedAt: toMs(row.revoked_at),
    publicJwk,
    privateKey,
  };
}

/** jsonb arrives parsed from both drivers; text (a driver configured otherwise) is parsed here. */
function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}
