import { LatchkeyError } from '../errors.js';

/**
 * What the SDK reports, as a plain interface: the core never imports prom-client.
 * `createPrometheusMetrics` (`@latchkey/sdk/metrics`) implements it on a prom-client
 * registry; anything else (OpenTelemetry, StatsD) can implement it too. Without the option
 * nothing is reported, and a verification pays one null check.
 */
export interface SdkMetrics {
  /** A verification ended: `valid`, or the `code` of the error it was refused with. */
  verification(token: VerifiedTokenKind, outcome: string): void;
  /** A JWKS request ended: a new key set, a 304 for the one held, or a failure. */
  jwksFetch(outcome: JwksFetchOutcome): void;
  /**
   * A pushed revocation (a Redis notice, an SSF event) was applied. `lagSeconds` runs from the
   * IdP's revocation time to now; undefined when the notice carries no time.
   */
  revocationApplied(source: RevocationSourceKind, kind: string, lagSeconds?: number): void;
  /**
   * Reads `status` whenever the metrics are collected (a scrape), for the staleness gauges.
   * Returns a function that stops it (the source's `close`).
   */
  watchRevocationSource(
    source: RevocationSourceKind,
    status: () => RevocationFreshness,
  ): () => void;
}

export type VerifiedTokenKind = 'access' | 'id' | 'logout';
export type JwksFetchOutcome = 'updated' | 'not_modified' | 'error';
export type RevocationSourceKind = 'redis' | 'ssf';

export interface RevocationFreshness {
  /** Whether `check` would refuse as stale now (or the state was never loaded). */
  stale: boolean;
  /** Epoch ms up to which no revocation can have been missed; undefined before the first load. */
  confirmedAt: number | undefined;
}

const METHODS = ['verification', 'jwksFetch', 'revocationApplied', 'watchRevocationSource'];

/** The option checked once, at construction, like every other (TypeError). */
export function checkMetrics(value: unknown): SdkMetrics | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    !METHODS.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
  ) {
    throw new TypeError(
      'metrics must come from createPrometheusMetrics (@latchkey/sdk/metrics) or implement SdkMetrics',
    );
  }
  return value as SdkMetrics;
}

/** `valid`'s counterpart: a Latchkey error's stable code; anything else (a caller's TypeError) is `other`. */
export function verificationOutcome(error: unknown): string {
  return error instanceof LatchkeyError ? error.code : 'other';
}

/** Seconds from `revokedAtMs` to `nowMs`; never negative (the two clocks may disagree). */
export function lagSeconds(revokedAtMs: number | undefined, nowMs: number): number | undefined {
  return revokedAtMs === undefined ? undefined : Math.max(0, nowMs - revokedAtMs) / 1000;
}
