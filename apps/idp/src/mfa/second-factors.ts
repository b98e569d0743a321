import type { Database } from '../db/database.js';
import { openSecret, sealSecret } from '../keys/key-encryption.js';
import {
  deleteRecoveryCodes,
  deleteTotp,
  hasConfirmedTotp,
  replaceRecoveryCodes,
  selectTotp,
  selectUnusedRecoveryDigests,
  upsertPendingTotp,
  useRecoveryCode,
  useTotpStep,
} from './second-factor-queries.js';
import type { SecondFactorThrottle } from './second-factor-throttle.js';
import {
  digestRecoveryCode,
  findRecoveryDigest,
  newRecoveryCodes,
  normaliseRecoveryCode,
} from './recovery-codes.js';
import { matchTotpStep, newTotpSecret, normaliseTotpCode, totpUri } from './totp-code.js';

/** The answer to a second-factor code. */
export type CodeCheck =
  | { ok: true; method: 'totp' | 'recovery' }
  | { ok: false; reason: 'wrong' }
  | { ok: false; reason: 'throttled'; retryAfterS: number };

export interface SecondFactorStatus {
  totp: boolean;
  recoveryCodesLeft: number;
}

/**
 * A user's TOTP authenticator and recovery codes: enrolment, checks, removal. Storage in
 * PostgreSQL (second-factor-queries.ts), secrets sealed under the KEK, guesses throttled.
 * Policy (who may remove what, recent login) is the routes' and the lifecycle's, not this.
 */
export interface SecondFactors {
  status(userId: string): Promise<SecondFactorStatus>;
  hasTotp(userId: string): Promise<boolean>;
  /**
   * The secret to show for a new enrolment: the one waiting for its first code when it can
   * still be read (a reload shows the same), else a new one. Null when a confirmed TOTP is
   * in place (remove it first).
   */
  beginTotp(user: {
    id: string;
    username: string;
  }): Promise<{ secret: string; uri: string } | null>;
  /**
   * Confirms the waiting enrolment with its first code; the ten new recovery codes to show
   * once, or a failed check.
   */
  confirmTotp(
    userId: string,
    code: string,
  ): Promise<{ ok: true; recoveryCodes: string[] } | Exclude<CodeCheck, { ok: true }>>;
  /** A login's second factor: a TOTP code or a recovery code, each accepted once. */
  check(userId: string, code: string): Promise<CodeCheck>;
  /** Ten new recovery codes; the old ones stop working. */
  regenerateRecoveryCodes(userId: string): Promise<string[]>;
  /** Removes the TOTP and the recovery codes; true when there was a TOTP. */
  removeTotp(userId: string): Promise<boolean>;
}

export interface SecondFactorsDeps {
  database: Database;
  /** KEY_ENCRYPTION_KEY. */
  kek: Buffer;
  /** The name authenticator apps show next to the account (the issuer's host). */
  issuerName: string;
  throttle: SecondFactorThrottle;
  now: () => number;
}

/**
 * Checked when the user has no readable TOTP, so that a check costs the same three HMACs
 * whether or not there is one: the time taken does not tell who has an authenticator.
 */
const DECOY_SECRET = newTotpSecret();

export function createSecondFactors(deps: SecondFactorsDeps): SecondFactors {
  const { database: db } = deps;
  const context = (userId: string) => `latchkey:totp:${userId}`;
  const readSecret = async (userId: string, confirmed: boolean) => {
    const row = await selectTotp(db, userId);
    if (!row || row.confirmed !== confirmed) return null;
    return openSecret(deps.kek, context(userId), row.secret);
  };
  const newCodes = async (userId: string): Promise<string[]> => {
    const codes = newRecoveryCodes();
    const digests = codes.map((code) => digestRecoveryCode(normaliseRecoveryCode(code)!));
    const at = new Date(deps.now());
    await db.transaction((tx) => replaceRecoveryCodes(tx, userId, digests, at));
    return codes;
  };

  /** The TOTP code's step accepted once; false for a wrong, old or used one. */
  const checkTotp = async (userId: string, code: string, confirm: boolean) => {
    const secret = await readSecret(userId, !confirm);
    const nowMs = deps.now();
    const step = matchTotpStep(secret ?? DECOY_SECRET, code, nowMs);
    if (secret === null || step === null) return false;
    return useTotpStep(db, userId, step, { confirm, at: new Date(nowMs) });
  };

  const checkRecovery = async (userId: string, normalised: string) => {
    const digests = await selectUnusedRecoveryDigests(db, userId);
    const found = findRecoveryDigest(normalised, digests);
    return found !== null && useRecoveryCode(db, userId, found, new Date(deps.now()));
  };

  /** Counts the attempt; runs `check`; clears the count when it passed. */
  const throttled = async (
    userId: string,
    check: () => Promise<'totp' | 'recovery' | null>,
  ): Promise<CodeCheck> => {
    const retryAfterS = await deps.throttle.admit(userId);
    if (retryAfterS !== null) return { ok: false, reason: 'throttled', retryAfterS };
    const method = await check();
    if (method === null) return { ok: false, reason: 'wrong' };
    await deps.throttle.clear(userId);
    return { ok: true, method };
  };

  return {
    async status(userId) {
      const [totp, digests] = await Promise.all([
        hasConfirmedTotp(db, userId),
        selectUnusedRecoveryDigests(db, userId),
      ]);
      return { totp, recoveryCodesLeft: digests.length };
    },

    hasTotp: (userId) => hasConfirmedTotp(db, userId),

    async beginTotp(user) {
      const row = await selectTotp(db, user.id);
      if (row?.confirmed) return null;
      const waiting = row ? openSecret(deps.kek, context(user.id), row.secret) : null;
      const secret = waiting ?? newTotpSecret();
      if (waiting === null) {
        const sealed = sealSecret(deps.kek, context(user.id), secret);
        if (!(await upsertPendingTotp(db, user.id, sealed, new Date(deps.now())))) return null;
      }
      return { secret, uri: totpUri(secret, { issuer: deps.issuerName, username: user.username }) };
    },

    async confirmTotp(userId, code) {
      const digits = normaliseTotpCode(code);
      const result = await throttled(userId, async () =>
        digits !== null && (await checkTotp(userId, digits, true)) ? 'totp' : null,
      );
      if (!result.ok) return result;
      return { ok: true, recoveryCodes: await newCodes(userId) };
    },

    check(userId, code) {
      return throttled(userId, async () => {
        const digits = normaliseTotpCode(code);
        if (digits !== null) return (await checkTotp(userId, digits, false)) ? 'totp' : null;
        const recovery = normaliseRecoveryCode(code);
        if (recovery !== null) return (await checkRecovery(userId, recovery)) ? 'recovery' : null;
        return null;
      });
    },

    regenerateRecoveryCodes: (userId) => newCodes(userId),

    async removeTotp(userId) {
      return db.transaction(async (tx) => {
        await deleteRecoveryCodes(tx, userId);
        return deleteTotp(tx, userId);
      });
    },
  };
}
