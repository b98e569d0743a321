import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type {
  RevocationFreshness,
  RevocationSourceKind,
  SdkMetrics,
  VerifiedTokenKind,
} from './sdk-metrics.js';

/**
 * Seconds from the IdP's revocation to the service applying it: a pushed notice takes a few
 * milliseconds on one network; a poll (SSF) or a reconnect takes seconds. SSF event times are
 * whole seconds, so its lags read up to a second long.
 */
export const REVOCATION_LAG_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * The SDK's metrics on the prom-client `registry` the service passes (names as the IdP's:
 * `latchkey_` prefix, `_total` counters, seconds). Create one per registry and give the same
 * object to `createVerifier` and to the revocation source: prom-client refuses a second
 * metric of the same name on one registry.
 */
export function createPrometheusMetrics(registry: Registry): SdkMetrics {
  const registers = [registry];
  // Verifications are the hot path: prom-client's inc hashes its labels on every call
  // (~450 ns, half a cached verification), so they are tallied in plain numbers and handed
  // to the counter when it is collected.
  const valid: Record<VerifiedTokenKind, number> = { access: 0, id: 0, logout: 0 };
  const refused: Record<VerifiedTokenKind, Map<string, number>> = {
    access: new Map(),
    id: new Map(),
    logout: new Map(),
  };
  new Counter({
    name: 'latchkey_sdk_verifications_total',
    help: 'Token verifications by token kind and outcome (valid, or the error code)',
    labelNames: ['token', 'outcome'] as const,
    registers,
    collect() {
      for (const token of ['access', 'id', 'logout'] as const) {
        if (valid[token] > 0) this.inc({ token, outcome: 'valid' }, valid[token]);
        valid[token] = 0;
        const counts = refused[token];
        for (const [outcome, count] of counts) {
          if (count > 0) this.inc({ token, outcome }, count);
          counts.set(outcome, 0);
        }
      }
    },
  });
  const fetches = new Counter({
    name: 'latchkey_sdk_jwks_fetches_total',
    help: 'JWKS requests by outcome (updated, not_modified, error)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const applied = new Counter({
    name: 'latchkey_sdk_revocation_notices_applied_total',
    help: 'Pushed revocations applied, by source and kind (session, subject, key)',
    labelNames: ['source', 'kind'] as const,
    registers,
  });
  const lag = new Histogram({
    name: 'latchkey_sdk_revocation_lag_seconds',
    help: 'From the IdP revoking to this service applying the revocation, by source',
    labelNames: ['source'] as const,
    buckets: REVOCATION_LAG_BUCKETS,
    registers,
  });

  const watched = new Set<{ source: RevocationSourceKind; status: () => RevocationFreshness }>();
  // Read when scraped, so nothing runs between scrapes; reset first, so a closed source's
  // series disappear rather than freeze.
  new Gauge({
    name: 'latchkey_sdk_revocation_stale',
    help: 'Whether the revoked set is too old to be trusted (1) or not (0), by source',
    labelNames: ['source'] as const,
    registers,
    collect() {
      this.reset();
      for (const { source, status } of watched) this.set({ source }, status().stale ? 1 : 0);
    },
  });
  new Gauge({
    name: 'latchkey_sdk_revocation_state_age_seconds',
    help: 'Time since the revoked set was last confirmed complete, by source',
    labelNames: ['source'] as const,
    registers,
    collect() {
      this.reset();
      const now = Date.now();
      for (const { source, status } of watched) {
        const { confirmedAt } = status();
        if (confirmedAt !== undefined) this.set({ source }, Math.max(0, now - confirmedAt) / 1000);
      }
    },
  });

  return {
    verification(token, outcome) {
      if (outcome === 'valid') {
        valid[token] += 1;
        return;
      }
      const counts = refused[token];
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    },
    jwksFetch: (outcome) => fetches.inc({ outcome }),
    revocationApplied(source, kind, lagSeconds) {
      applied.inc({ source, kind });
      if (lagSeconds !== undefined) lag.observe({ source }, lagSeconds);
    },
    watchRevocationSource(source, status) {
      const entry = { source, status };
      watched.add(entry);
      return () => watched.delete(entry);
    },
  };
}
