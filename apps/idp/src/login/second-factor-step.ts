import { storeKeys } from '@latchkey/protocol';
import type { Store } from '../store/store.js';
import { parseStoredRecord } from '../store/stored-record.js';
import { looksLikeOpaqueToken, newOpaqueToken } from '../tokens/opaque-token.js';

/**
 * How long a person has, after a correct password, to give the second factor. Short: the
 * password was already checked, and a step left open is a half-open door. Never longer than
 * the pending authorization it belongs to.
 */
export const SECOND_FACTOR_STEP_TTL_MS = 5 * 60_000;

/**
 * A login between its two steps: who proved the first factor, for which pending
 * authorization, in which browser. Created after a correct password (or by /authorize for a
 * step-up of a live session); completed by `completeSecondFactor` once a second factor is
 * proved. It is bound to the browser exactly as the login form is: a CSRF token in a cookie
 * named after the pending authorization (login/csrf-cookie.ts) whose digest is stored here.
 */
export interface SecondFactorStep {
  readonly id: string;
  /** The pending authorization (oauth/authorize/pending-authorization.ts) it completes. */
  readonly authz: string;
  readonly sub: string;
  readonly username: string;
  /** What the user has proved so far (RFC 8176): `['pwd']`, or the stepped-up session's. */
  readonly amr: readonly string[];
  /**
   * A step-up of this live session (an application asked for more than it has): completing
   * it keeps the `sid`, and fails when the browser no longer holds that session.
   */
  readonly stepUpSid?: string;
  /** SHA-256 of the CSRF token the browser holds in the pending authorization's cookie. */
  readonly csrfDigest: string;
  /** The language the login was in, for the second-factor page. */
  readonly locale?: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export type NewSecondFactorStep = Omit<SecondFactorStep, 'id' | 'expiresAt'>;

export interface SecondFactorSteps {
  /** Stores a new step expiring at the sooner of its own limit and `notAfterMs`. */
  create(step: NewSecondFactorStep, nowMs: number, notAfterMs: number): Promise<SecondFactorStep>;
  find(id: string, nowMs: number): Promise<SecondFactorStep | null>;
  /** Removes and returns the step: of two concurrent completions, one wins. */
  take(id: string, nowMs: number): Promise<SecondFactorStep | null>;
}

export function createSecondFactorSteps(store: Store): SecondFactorSteps {
  const live = (raw: string | null, id: string, nowMs: number) => {
    const step = raw === null ? null : parse(raw);
    return step && step.id === id && step.expiresAt > nowMs ? step : null;
  };
  return {
    async create(fields, nowMs, notAfterMs) {
      const expiresAt = Math.min(nowMs + SECOND_FACTOR_STEP_TTL_MS, notAfterMs);
      const step: SecondFactorStep = { ...fields, id: newOpaqueToken(), expiresAt };
      const ttlMs = Math.max(1, expiresAt - nowMs);
      await store.set(storeKeys.secondFactorStep(step.id), JSON.stringify(step), { ttlMs });
      return step;
    },
    async find(id, nowMs) {
      if (!looksLikeOpaqueToken(id)) return null;
      return live(await store.get(storeKeys.secondFactorStep(id)), id, nowMs);
    },
    async take(id, nowMs) {
      if (!looksLikeOpaqueToken(id)) return null;
      return live(await store.take(storeKeys.secondFactorStep(id)), id, nowMs);
    },
  };
}

function parse(raw: string): SecondFactorStep | null {
  return parseStoredRecord<SecondFactorStep>(
    raw,
    (value) =>
      typeof value.id === 'string' &&
      typeof value.authz === 'string' &&
      typeof value.sub === 'string' &&
      typeof value.username === 'string' &&
      Array.isArray(value.amr) &&
      value.amr.every((item) => typeof item === 'string') &&
      (value.stepUpSid === undefined || typeof value.stepUpSid === 'string') &&
      typeof value.csrfDigest === 'string' &&
      (value.locale === undefined || typeof value.locale === 'string') &&
      typeof value.expiresAt === 'number',
  );
}
