import {
  decodeRevocationMember,
  encodeRevocationMember,
  type SessionRevocation,
  type SubjectRevocation,
} from '@latchkey/protocol';
import type { Queryable } from '../db/database.js';

/** What the ledger keeps: signing keys are revoked durably in their own table (keys/). */
export type DurableRevocation = SessionRevocation | SubjectRevocation;

export interface LedgerEntry {
  /** Grows with every write; what an instance has read up to. */
  readonly seq: number;
  readonly revocation: DurableRevocation;
  /** Epoch ms. */
  readonly revokedAt: number;
  /**
   * Epoch ms, never before `revocation.expiresAt`: until then a session the revocation ends
   * could still be brought back by an old copy of Redis, so it is remembered.
   */
  readonly keepUntil: number;
}

/**
 * The revocations of sessions and subjects, kept in PostgreSQL (db/migrations/013): the
 * `revocations` table's SQL, all of it. The durable half of "confirmed means durable": Redis
 * can be restored from an older snapshot or come back empty, this cannot.
 */
export interface RevocationLedger {
  /**
   * Records the revocation, kept until `keepUntil` (at least its `expiresAt`); the same one
   * again keeps the later times and takes a new `seq`. Resolves to its `seq`.
   */
  record(revocation: DurableRevocation, revokedAt: number, keepUntil: number): Promise<number>;
  /** The revocations still kept written after `seq`, in `seq` order, at most `limit`. */
  since(seq: number, nowMs: number, limit: number): Promise<LedgerEntry[]>;
  /**
   * The revocations still kept written in the last `lookBackMs` by the database's clock,
   * newest `seq` first, at most `limit`: a row can commit after one with a higher `seq`, so
   * reading by `seq` alone could step over it for good.
   */
  recent(nowMs: number, lookBackMs: number, limit: number): Promise<LedgerEntry[]>;
  /** Every revocation still kept, in `seq` order (start-up, and putting Redis right). */
  unexpired(nowMs: number): Promise<LedgerEntry[]>;
  /** The highest `seq` ever taken (0 before the first), pruned rows included. */
  lastSeq(): Promise<number>;
  /** Deletes what is kept no longer at `nowMs`; how many rows went. */
  prune(nowMs: number): Promise<number>;
}

interface Row {
  member: string;
  expires_at: Date | string;
  keep_until: Date | string;
  revoked_at: Date | string;
  seq: string | number;
}

const COLUMNS = 'member, expires_at, keep_until, revoked_at, seq';

export function createRevocationLedger(db: Queryable): RevocationLedger {
  return {
    async record(revocation, revokedAt, keepUntil) {
      if (revocation.kind !== 'session' && revocation.kind !== 'subject') {
        throw new TypeError('only session and subject revocations are kept here');
      }
      const member = encodeRevocationMember(revocation);
      // PostgreSQL text holds no NUL; no identifier the IdP makes contains one.
      if (member.includes('\0')) throw new TypeError('revocation member holds a NUL');
      const rows = await db.query<{ seq: string | number }>(
        `INSERT INTO revocations (member, kind, expires_at, keep_until, revoked_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (member) DO UPDATE SET
           expires_at = GREATEST(revocations.expires_at, EXCLUDED.expires_at),
           keep_until = GREATEST(revocations.keep_until, EXCLUDED.keep_until),
           revoked_at = EXCLUDED.revoked_at,
           recorded_at = now(),
           seq = nextval(pg_get_serial_sequence('revocations', 'seq'))
         RETURNING seq`,
        [
          member,
          revocation.kind,
          new Date(revocation.expiresAt),
          new Date(Math.max(keepUntil, revocation.expiresAt)),
          new Date(revokedAt),
        ],
      );
      return Number(rows[0]!.seq);
    },

    async since(seq, nowMs, limit) {
      const rows = await db.query<Row>(
        `SELECT ${COLUMNS} FROM revocations WHERE seq > $1 AND keep_until > $2
         ORDER BY seq LIMIT $3`,
        [seq, new Date(nowMs), limit],
      );
      return entriesOf(rows);
    },

    async recent(nowMs, lookBackMs, limit) {
      const rows = await db.query<Row>(
        `SELECT ${COLUMNS} FROM revocations
         WHERE recorded_at > now() - $1 * interval '1 millisecond' AND keep_until > $2
         ORDER BY seq DESC LIMIT $3`,
        [lookBackMs, new Date(nowMs), limit],
      );
      return entriesOf(rows);
    },

    async unexpired(nowMs) {
      const rows = await db.query<Row>(
        `SELECT ${COLUMNS} FROM revocations WHERE keep_until > $1 ORDER BY seq`,
        [new Date(nowMs)],
      );
      return entriesOf(rows);
    },

    async lastSeq() {
      const rows = await db.query<{ seq: string | number | null }>(
        'SELECT max(seq) AS seq FROM revocations',
      );
      const inTable = Number(rows[0]?.seq ?? 0);
      // The sequence, not the table: pruning every row must not move the mark backwards.
      const taken = await db.query<{ last_value: string | number; is_called: boolean }>(
        `SELECT last_value, is_called FROM revocations_seq_seq`,
      );
      const fromSequence = taken[0]?.is_called ? Number(taken[0].last_value) : 0;
      return Math.max(inTable, fromSequence);
    },

    async prune(nowMs) {
      const rows = await db.query<{ member: string }>(
        'DELETE FROM revocations WHERE keep_until <= $1 RETURNING member',
        [new Date(nowMs)],
      );
      return rows.length;
    },
  };
}

function entriesOf(rows: readonly Row[]): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const row of rows) {
    const expiresAt = new Date(row.expires_at).getTime();
    const revocation = decodeRevocationMember(row.member, expiresAt);
    // A row this version cannot read is skipped, not fatal: nothing else could use it either.
    if (revocation === null || revocation.kind === 'key') continue;
    entries.push({
      seq: Number(row.seq),
      revocation,
      revokedAt: new Date(row.revoked_at).getTime(),
      keepUntil: new Date(row.keep_until).getTime(),
    });
  }
  return entries;
}
