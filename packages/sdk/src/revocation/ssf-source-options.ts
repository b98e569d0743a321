import { parseSecureUrl } from '../lib/url.js';
import { checkMetrics, type SdkMetrics } from '../metrics/sdk-metrics.js';
// Type only: this entry must not load ioredis.
import type { RevocationLogger } from './redis-source-options.js';

const DEFAULT_MAX_STALENESS_MS = 30_000;

export interface SsfRevocationSourceOptions {
  /** The IdP's issuer: `iss` of every SET, and the audience of the SSF API is `<issuer>/ssf`. */
  issuer: string;
  /**
   * Where this service reaches the IdP (IDP_INTERNAL_URL), https or http on loopback. Default
   * the issuer. The token, stream, poll and JWKS URLs are the IdP's under it.
   */
  idpUrl?: string;
  /**
   * The receiver's client registration: allowed `client_credentials`, scope `ssf.manage` and
   * resource `<issuer>/ssf`. SETs must name this client in `aud`.
   */
  clientId: string;
  clientSecret: string;
  /**
   * A poll stream created beforehand (one per service instance). Without it the source
   * creates its own at start and deletes it on `close()`: events from before the start are
   * then not seen (see the README's note on restarts).
   */
  streamId?: string;
  /**
   * How old, in ms, the revoked set may be before `check` stops trusting it: a poll cycle
   * that found the stream drained confirms it. Default `30000`.
   */
  maxStalenessMs?: number;
  /** As for the Redis source: `true` answers from the last state when stale. Default `false`. */
  failOpen?: boolean;
  /**
   * How long the IdP may hold a poll open when nothing is queued (RFC 8936 long polling).
   * Default a third of `maxStalenessMs`, so a quiet stream still confirms often enough.
   */
  pollWaitMs?: number;
  /**
   * How long an applied revocation is remembered, ms. Must cover your longest token
   * lifetime plus clock tolerance. Default `86400000` (24 h, the IdP's longest token TTL).
   */
  retentionMs?: number;
  /**
   * What a CAEP credential-change does: `'revoke'` (default) refuses every token of the user
   * issued before the change; `'ignore'` leaves them (the sessions the change ended still
   * arrive as session-revoked events).
   */
  credentialChange?: 'revoke' | 'ignore';
  /**
   * Push delivery (RFC 8935) instead of poll: the IdP POSTs each SET to `endpointUrl`, where
   * the service mounts `source.receivePush`, with `authorization` as its Authorization header
   * (a secret of at least 16 characters; the handler compares it in constant time). Liveness
   * comes from a verification event asked for every `maxStalenessMs / 3`. Default: poll.
   */
  push?: { endpointUrl: string; authorization: string };
  /** Bound on each request besides the long poll's own wait. Default `5000`. */
  requestTimeoutMs?: number;
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
  logger?: RevocationLogger;
  /**
   * Where to count the events applied, their lag from the IdP's event time (whole seconds),
   * the key-set fetches and the staleness: the same `createPrometheusMetrics(registry)` object
   * given to `createVerifier`. Default: none.
   */
  metrics?: SdkMetrics;
}

export interface ResolvedSsfSourceOptions {
  issuer: string;
  idpUrl: URL;
  clientId: string;
  clientSecret: string;
  streamId: string | undefined;
  maxStalenessMs: number;
  failOpen: boolean;
  pollWaitMs: number;
  retentionMs: number;
  credentialChange: 'revoke' | 'ignore';
  requestTimeoutMs: number;
  push: { endpointUrl: string; authorization: string } | undefined;
  now: () => number;
  logger: RevocationLogger;
  metrics: SdkMetrics | undefined;
}

const silentLogger: RevocationLogger = { info() {}, warn() {} };

function positive(value: unknown, name: string, fallback: number): number {
  const resolved = value ?? fallback;
  if (typeof resolved !== 'number' || !Number.isFinite(resolved) || resolved <= 0) {
    throw new TypeError(`${name} must be a positive finite number`);
  }
  return resolved;
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${name} must be a non-empty string`);
  }
  return value;
}

/** Checks every option once, at construction (TypeError), like `createVerifier`. */
export function resolveSsfSourceOptions(
  options: SsfRevocationSourceOptions,
): ResolvedSsfSourceOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('revocation source options must be an object');
  }
  const issuer = text(options.issuer, 'issuer').replace(/\/$/, '');
  if (!parseSecureUrl(issuer))
    throw new TypeError('issuer must be an https (or loopback http) URL');
  const idpUrl = parseSecureUrl(options.idpUrl ?? issuer);
  if (!idpUrl) throw new TypeError('idpUrl must be an https (or loopback http) URL');
  const streamId = options.streamId === undefined ? undefined : text(options.streamId, 'streamId');
  const maxStalenessMs = positive(
    options.maxStalenessMs,
    'maxStalenessMs',
    DEFAULT_MAX_STALENESS_MS,
  );
  const pollWaitMs = positive(
    options.pollWaitMs,
    'pollWaitMs',
    Math.floor(maxStalenessMs / 3) || 1,
  );
  const failOpen = options.failOpen ?? false;
  if (typeof failOpen !== 'boolean') throw new TypeError('failOpen must be a boolean');
  const credentialChange = options.credentialChange ?? 'revoke';
  if (credentialChange !== 'revoke' && credentialChange !== 'ignore') {
    throw new TypeError("credentialChange must be 'revoke' or 'ignore'");
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('now must be a function');
  const logger = options.logger ?? silentLogger;
  if (typeof logger?.info !== 'function' || typeof logger.warn !== 'function') {
    throw new TypeError('logger must have info and warn functions');
  }
  let push: ResolvedSsfSourceOptions['push'];
  if (options.push !== undefined) {
    const { endpointUrl, authorization } = options.push ?? {};
    if (!parseSecureUrl(endpointUrl)) {
      throw new TypeError('push.endpointUrl must be an https (or loopback http) URL');
    }
    if (typeof authorization !== 'string' || authorization.length < 16) {
      throw new TypeError('push.authorization must be a secret of at least 16 characters');
    }
    push = { endpointUrl, authorization };
  }
  return {
    push,
    issuer,
    idpUrl: new URL(idpUrl.href.replace(/\/?$/, '/')),
    clientId: text(options.clientId, 'clientId'),
    clientSecret: text(options.clientSecret, 'clientSecret'),
    streamId,
    maxStalenessMs,
    failOpen,
    pollWaitMs,
    retentionMs: positive(options.retentionMs, 'retentionMs', 86_400_000),
    credentialChange,
    requestTimeoutMs: positive(options.requestTimeoutMs, 'requestTimeoutMs', 5_000),
    now,
    logger,
    metrics: checkMetrics(options.metrics),
  };
}
