/**
 * @latchkey/sdk/metrics: the SDK's Prometheus metrics, for the `metrics` option of
 * `createVerifier` and of the revocation sources. Needs the optional peer dependency
 * `prom-client` (15.x); nothing else in the SDK loads it.
 */
export { createPrometheusMetrics, REVOCATION_LAG_BUCKETS } from './metrics/prometheus-metrics.js';
export type {
  SdkMetrics,
  VerifiedTokenKind,
  JwksFetchOutcome,
  RevocationSourceKind,
  RevocationFreshness,
} from './metrics/sdk-metrics.js';
