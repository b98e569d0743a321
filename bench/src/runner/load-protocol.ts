import type { JsonWebKey } from 'node:crypto';

/** What the bench asks of its load generator (a child process running autocannon). */
export interface LoadConfig {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** The same body on every request. */
  body?: string;
  /** One body per request, used in order; the run stops when they are used up. */
  bodies?: string[];
  /**
   * Refresh-token rotation: every request spends one refresh token from the pool and puts the
   * new one from its answer back, so a run can go on for as long as it is asked to.
   */
  refresh?: { tokens: string[]; extraBody: string };
  /**
   * DPoP (RFC 9449): every request carries a fresh proof signed with this ES256 private JWK for
   * `htu`, made in the load generator (its cost is the client's, not the server's).
   */
  dpop?: { privateJwk: JsonWebKey; htu: string };
  connections: number;
  durationSec: number;
  /** The status class that counts as success; default '2xx' ('3xx' for a 304 load). */
  success?: '2xx' | '3xx';
}

export interface LoadResult {
  /** Successful answers (2xx, or as LoadConfig.success says) per second over the whole run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  /** Answers outside the success class. */
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
  /** The load generator's own CPU time (user + system) over the run, in µs. */
  cpuMicros: number;
}
