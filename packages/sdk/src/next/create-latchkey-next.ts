import { createHash } from 'node:crypto';
// Type-only, so with the `.js` the published declarations resolve under NodeNext (Next has no
// exports map); runtime imports keep the bare names Next's bundler expects (next-modules.d.ts).
import type { NextRequest } from 'next/server.js';
import type { AccessTokenClaims } from '@latchkey/protocol';
import { RevocationStaleError } from '../errors.js';
import type { BearerOptions } from '../bearer.js';
import {
  createRedisRevocationSource,
  type RedisRevocationSource,
} from '../revocation/redis-revocation-source.js';
import { createLoggedOutSessions } from '../logout/logged-out-sessions.js';
import { createVerifier, type Verifier } from '../verifier.js';
import { createBackChannelLogoutRoute } from './back-channel-route.js';
import { createWithBearer, type BearerRouteHandler } from './bearer-route.js';
import { createGetSession, type GetSessionOptions } from './data-access.js';
import { createInspect, type TokenInspection } from './inspect.js';
import { resolveNextOptions, type LatchkeyNextOptions } from './options.js';
import { createProxy } from './proxy.js';
import { createRoutes, type LatchkeyRoutes } from './routes.js';
import { createSealer } from './sealed-value.js';
import { createSessionResolver, type LatchkeySession } from './session-resolver.js';
import { createTokenClient } from './token-client.js';

export interface LatchkeyNext {
  /** For `proxy.ts`: sends a missing, revoked or expired session to login; refreshes ahead of expiry. */
  proxy(request: NextRequest): Promise<Response>;
  /** `export const { GET, POST } = latchkey.routes` in `app/auth/[action]/route.ts`. */
  routes: LatchkeyRoutes;
  /** Server-only: the verified session, or a redirect to login. Call it in every protected page. */
  getSession(options?: GetSessionOptions): Promise<LatchkeySession>;
  /** Wraps a route handler that requires `Authorization: Bearer` with this app's audience. */
  withBearer<Context = unknown>(
    handler: BearerRouteHandler<Context>,
    options?: BearerOptions,
  ): (request: Request, context: Context) => Promise<Response>;
  /**
   * `export const POST = latchkey.backChannelLogout` in the route of the client's
   * `backchannel_logout_uri`; `routes` also answers it at `/auth/backchannel-logout`.
   */
  backChannelLogout: (request: Request) => Promise<Response>;
  /** Takes an access token apart for display and says whether it verifies. */
  inspect(token: string): Promise<TokenInspection>;
  /** The underlying verifier (signature via cached JWKS, Redis revocation). */
  verifier: Verifier;
  /** Closes the Redis connections (tests, graceful shutdown). */
  close(): Promise<void>;
}

/** How long the first request waits for the revoked set before answering 503. */
const FIRST_LOAD_TIMEOUT_MS = 3_000;

/**
 * Next.js bundles `proxy.ts` and the app's routes separately, so module state is not shared
 * between them. One instance per configuration lives on globalThis instead: one Redis
 * subscription, one JWKS cache and one single-flight table per process.
 */
const INSTANCES = Symbol.for('@latchkey/sdk/next#instances');
type Registry = Map<string, LatchkeyNext>;

export function createLatchkeyNext(options: LatchkeyNextOptions): LatchkeyNext {
  const resolved = resolveNextOptions(options);
  const holder = globalThis as { [INSTANCES]?: Registry };
  const registry = (holder[INSTANCES] ??= new Map<string, LatchkeyNext>());
  const key = createHash('sha256')
    .update(JSON.stringify({ ...options, logger: undefined }))
    .digest('base64url');
  const existing = registry.get(key);
  if (existing) return existing;

  // Connecting waits for the first request: `next build` evaluates this module too.
  let source: RedisRevocationSource | undefined;
  let loaded = false;
  // A back-channel logout cannot reach the browser's cookie: its session is refused here.
  const loggedOut = resolved.loggedOutSessions ?? createLoggedOutSessions();
  const revocation = {
    check(claims: AccessTokenClaims) {
      source ??= openSource();
      source.check(claims);
      loggedOut.check(claims);
    },
  };
  const openSource = (): RedisRevocationSource =>
    createRedisRevocationSource({
      url: resolved.redisUrl,
      logger: { info() {}, warn: (event, fields) => resolved.logger.warn(event, fields) },
    });
  const ready = async (): Promise<void> => {
    if (loaded) return;
    source ??= openSource();
    try {
      await source.ready({ signal: AbortSignal.timeout(FIRST_LOAD_TIMEOUT_MS) });
      loaded = true;
    } catch (cause) {
      throw new RevocationStaleError('the revoked set has not been loaded yet', { cause });
    }
  };

  const verifier = createVerifier({
    issuer: resolved.issuer,
    audience: resolved.audience,
    clientId: resolved.clientId,
    jwksUri: resolved.jwksUri,
    allowHttpJwksUri: resolved.allowHttpIdp,
    revocation,
  });
  // Bearer checks and the inspector wait for the first load like the session checks do.
  const readyVerifier = {
    async verifyAccessToken(token: string) {
      await ready();
      return verifier.verifyAccessToken(token);
    },
  };
  const sealer = createSealer(resolved.sessionKey);
  const tokens = createTokenClient(resolved);
  const sessions = createSessionResolver({ options: resolved, verifier, ready, tokens, sealer });
  const backChannelLogout = createBackChannelLogoutRoute(
    verifier,
    {
      async onLogout(event) {
        loggedOut.record({ sub: event.sub, sid: event.sid, iat: event.claims.iat });
        await resolved.onBackChannelLogout?.(event);
      },
    },
    resolved.logger,
  );

  const instance: LatchkeyNext = {
    proxy: createProxy(resolved, sessions),
    routes: createRoutes({
      options: resolved,
      verifier,
      ready,
      tokens,
      sealer,
      sessions,
      backChannelLogout,
    }),
    backChannelLogout,
    getSession: createGetSession(sessions, resolved.secureCookies),
    withBearer: createWithBearer(readyVerifier),
    inspect: createInspect(readyVerifier),
    verifier,
    async close() {
      registry.delete(key);
      await source?.close();
    },
  };
  registry.set(key, instance);
  return instance;
}
