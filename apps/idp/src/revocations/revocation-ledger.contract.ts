import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createRevocationLedger, type RevocationLedger } from './revocation-ledger.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * What the revocation ledger promises on every backend (PGlite and a PostgreSQL server run the
 * same SQL): the suite runs once per backend, on a migrated database of its own.
 */
export function revocationLedgerContract(name: string, open: () => Promise<Database>): void {
  describe(`RevocationLedger contract: ${name}`, () => {
    let db: Database;
    let ledger: RevocationLedger;
    beforeAll(async () => {
      db = await open();
      ledger = createRevocationLedger(db);
    }, 60_000);
    afterAll(async () => {
      await db?.close();
    });

    // Each test works in a time of its own, far from the others, so their rows never mix.
    let era = 0;
    const nextEra = () => Date.UTC(2030, 0, 1) + ++era * 1000 * HOUR;
    const kept = (entries: readonly { revocation: object }[]) => entries.map((e) => e.revocation);

    it('keeps a session and a subject revocation, each with a growing seq', async () => {
      const at = nextEra();
      const before = await ledger.lastSeq();
      const session = { kind: 'session', sid: `s-${era}`, expiresAt: at + 20 * MINUTE } as const;
      const subject = {
        kind: 'subject',
        sub: `user:${era}`,
        notBefore: Math.ceil(at / 1000),
        expiresAt: at + 20 * MINUTE,
      } as const;
      const first = await ledger.record(session, at, at + 12 * HOUR);
      const second = await ledger.record(subject, at, at + 12 * HOUR);
      expect(first).toBeGreaterThan(before);
      expect(second).toBeGreaterThan(first);
      expect(await ledger.lastSeq()).toBe(second);
      const read = await ledger.since(before, at, 100);
      expect(kept(read)).toEqual([session, subject]);
      expect(read[0]).toMatchObject({ seq: first, revokedAt: at, keepUntil: at + 12 * HOUR });
    });

    it('records the same revocation again as one row with the later times and a new seq', async () => {
      const at = nextEra();
      const early = { kind: 'session', sid: `again-${era}`, expiresAt: at + 20 * MINUTE } as const;
      const first = await ledger.record(early, at, at + HOUR);
      const second = await ledger.record({ ...early, expiresAt: at + 10 * MINUTE }, at + 1, at);
      expect(second).toBeGreaterThan(first);
      const mine = (await ledger.unexpired(at)).filter(
        (e) => e.revocation.kind === 'session' && e.revocation.sid === early.sid,
      );
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ seq: second, keepUntil: at + HOUR, revocation: early });
    });

    it('never keeps a revocation for less time than its tokens live', async () => {
      const at = nextEra();
      const revocation = { kind: 'session', sid: `short-${era}`, expiresAt: at + HOUR } as const;
      const seq = await ledger.record(revocation, at, at + MINUTE);
      const [entry] = (await ledger.since(seq - 1, at, 10)).filter((e) => e.seq === seq);
      expect(entry?.keepUntil).toBe(at + HOUR);
    });

    it('reads only what is new since a seq, and what is still kept', async () => {
      const at = nextEra();
      const old = { kind: 'session', sid: `old-${era}`, expiresAt: at + MINUTE } as const;
      const fresh = { kind: 'session', sid: `fresh-${era}`, expiresAt: at + MINUTE } as const;
      const oldSeq = await ledger.record(old, at, at + 2 * MINUTE);
      await ledger.record(fresh, at, at + 2 * MINUTE);
      expect(kept(await ledger.since(oldSeq, at, 100))).toEqual([fresh]);
      // Past keep_until, neither is read any more, whatever the seq.
      expect(await ledger.since(oldSeq - 1, at + 3 * MINUTE, 100)).toEqual([]);
      expect(await ledger.recent(at + 3 * MINUTE, 60_000, 100)).toEqual([]);
      expect(await ledger.since(oldSeq - 1, at, 1)).toHaveLength(1);
      // The look-back reads recent rows again whatever their seq (late commits), newest first.
      expect(kept(await ledger.recent(at, 60_000, 2))).toEqual([fresh, old]);
      expect(kept(await ledger.recent(at, 60_000, 1))).toEqual([fresh]);
    });

    it('prunes what is kept no longer, and the seq never goes back', async () => {
      const at = nextEra();
      const gone = { kind: 'session', sid: `gone-${era}`, expiresAt: at + MINUTE } as const;
      const stays = { kind: 'session', sid: `stays-${era}`, expiresAt: at + HOUR } as const;
      await ledger.record(gone, at, at + MINUTE);
      const last = await ledger.record(stays, at, at + HOUR);
      expect(await ledger.prune(at + 2 * MINUTE)).toBeGreaterThanOrEqual(1);
      const left = kept(await ledger.unexpired(at));
      expect(left).toContainEqual(stays);
      expect(left).not.toContainEqual(gone);
      expect(await ledger.prune(at + 2 * HOUR)).toBeGreaterThanOrEqual(1);
      expect(await ledger.lastSeq()).toBe(last);
    });

    it('refuses what it does not keep: key revocations, a NUL', async () => {
      const at = nextEra();
      await expect(
        ledger.record({ kind: 'key', kid: 'k1', expiresAt: at } as never, at, at),
      ).rejects.toThrow(TypeError);
      await expect(
        ledger.record({ kind: 'session', sid: 'a\0b', expiresAt: at + MINUTE }, at, at),
      ).rejects.toThrow(TypeError);
    });

    it('keeps a subject whose id holds a colon apart from the not-before time', async () => {
      const at = nextEra();
      const subject = {
        kind: 'subject',
        sub: `tenant:a:${era}`,
        notBefore: 1_900_000_000,
        expiresAt: at + HOUR,
      } as const;
      const seq = await ledger.record(subject, at, at + HOUR);
      expect(kept(await ledger.since(seq - 1, at, 10))).toEqual([subject]);
    });
  });
}
