import type { Context, Middleware } from 'koa';
import type { AccessTokenClaims } from '@latchkey/protocol';
import {
  createBearerAuthenticator,
  createVerifier,
  KeyRevokedError,
  type BearerAuthenticator,
  type RevocationSource,
} from '@latchkey/sdk';
import type { AuditActor } from '../audit/audit-event.js';
import { requestFacts } from '../audit/request-facts.js';
import type { ChangedBy } from '../users/account-lifecycle.js';
import type { AdminDeps } from './admin-deps.js';
import { AdminProblem } from './admin-problem.js';

/** The scopes of the admin API: everything, or reading only. */
export const ADMIN_SCOPE = 'latchkey:admin';
export const ADMIN_READ_SCOPE = 'latchkey:admin.read';
/** The role a user's token needs besides the scope (a console user without it is refused). */
export const ADMIN_ROLE = 'admin';

/** The admin API's resource identifier (RFC 8707): the `aud` of the tokens it takes. */
export const adminAudience = (issuer: string): string => `${issuer}/admin/v1`;

/** Who is calling, for the handlers and the audit trail. */
export interface AdminCaller {
  readonly actor: AuditActor;
  readonly claims: AccessTokenClaims;
  readonly canWrite: boolean;
}

export function adminCaller(ctx: Context): AdminCaller {
  return (ctx.state as { admin: AdminCaller }).admin;
}

/** Who changed something through the API and from where, for the services' audit records. */
export function changedBy(ctx: Context): ChangedBy {
  return { actor: adminCaller(ctx).actor, request: requestFacts(ctx) };
}

/** A path parameter of the matched route, as text. */
export function pathParam(ctx: Context, name: string): string {
  return String((ctx.params as Record<string, string | undefined>)[name] ?? '');
}

const REALM = 'latchkey-admin';

/**
 * The token check of every admin call. The token is a Latchkey access token for the admin
 * API, verified with @latchkey/sdk as any resource server would (the IdP eats its own
 * cooking): the key set comes from the IdP's own /jwks, fetched over loopback from the
 * listener the request came in on (or `jwksUri`), and a signing key revoked at the IdP is
 * refused at once, before the key-set cache notices.
 *
 * Then what only the IdP can know, on every call: a user's token needs its session still
 * alive (logout, an admin's revocation, a disabled account all end it) and the user enabled
 * with role `admin`; a client's token (client_credentials: `sub` is the client) needs the
 * client still registered. GET and HEAD take `latchkey:admin.read` or `latchkey:admin`;
 * everything else `latchkey:admin`.
 */
export function adminAuth(deps: AdminDeps, options: { jwksUri?: string } = {}): Middleware {
  let bearer: BearerAuthenticator | undefined;
  // The IdP's own key set: a revoked key vouches for nothing even while a cached JWKS has it.
  const revokedKeys: RevocationSource = {
    check: () => undefined,
    checkKey(kid) {
      const key = deps.keys.list().find((summary) => summary.kid === kid);
      if (key?.state === 'revoked') throw new KeyRevokedError('the signing key was revoked');
    },
  };
  const bearerFor = (ctx: Context): BearerAuthenticator => {
    bearer ??= createBearerAuthenticator(
      createVerifier({
        issuer: deps.config.issuer,
        audience: adminAudience(deps.config.issuer),
        jwksUri: options.jwksUri ?? `http://127.0.0.1:${ctx.req.socket.localPort}/jwks`,
        revocation: revokedKeys,
        now: deps.now,
        // Our own listener over loopback: cheap to ask. A key that appears without having been
        // published first (the replacement of a revoked key) is then trusted within a second,
        // not after the usual 30 s, so the admin API stays usable in a key emergency.
        jwks: { cooldownMs: 1_000 },
      }),
      { realm: REALM },
    );
    return bearer;
  };

  return async (ctx, next) => {
    const decision = await bearerFor(ctx)(ctx.get('Authorization') || undefined);
    if (!decision.ok) {
      const { status, body, headers } = decision.denial;
      const type =
        status === 401 ? 'unauthorized' : status === 503 ? 'unavailable' : 'invalid-request';
      throw new AdminProblem(status, type, body.error_description, { headers });
    }
    const { claims } = decision;
    const scopes = (claims.scope ?? '').split(' ');
    const canWrite = scopes.includes(ADMIN_SCOPE);
    const canRead = canWrite || scopes.includes(ADMIN_READ_SCOPE);
    const reading = ctx.method === 'GET' || ctx.method === 'HEAD';
    if (!(reading ? canRead : canWrite)) {
      const needed = reading ? `${ADMIN_READ_SCOPE} or ${ADMIN_SCOPE}` : ADMIN_SCOPE;
      throw new AdminProblem(403, 'insufficient-scope', `this call needs the scope ${needed}`, {
        headers: {
          'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${reading ? ADMIN_READ_SCOPE : ADMIN_SCOPE}"`,
        },
      });
    }
    const actor = await checkCaller(deps, claims);
    await limit(
      deps,
      claims.sid === undefined ? `client:${claims.client_id}` : `user:${claims.sub}`,
    );
    (ctx.state as { admin: AdminCaller }).admin = { actor, claims, canWrite };
    await next();
  };
}

async function limit(deps: AdminDeps, caller: string): Promise<void> {
  const over = await deps.limitCaller?.(caller);
  if (over) {
    throw new AdminProblem(
      429,
      'too-many-requests',
      `too many calls from this caller; retry in ${over.retryAfterSec} s`,
      { headers: { 'Retry-After': String(over.retryAfterSec) } },
    );
  }
}

const invalidToken = (detail: string) =>
  new AdminProblem(401, 'unauthorized', detail, {
    headers: {
      'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${detail}"`,
    },
  });

async function checkCaller(deps: AdminDeps, claims: AccessTokenClaims): Promise<AuditActor> {
  if (claims.sid === undefined) {
    // RFC 9068 §2.2: a client_credentials token's `sub` is the client itself.
    if (claims.sub !== claims.client_id || !deps.clients.find(claims.client_id)) {
      throw invalidToken('The access token was revoked');
    }
    return { kind: 'client', id: claims.client_id };
  }
  const session = await deps.sessions.find(claims.sid, deps.now());
  if (!session || session.sub !== claims.sub) throw invalidToken('The access token was revoked');
  const user = await deps.users.findById(claims.sub);
  if (!user || user.state !== 'active') throw invalidToken('The access token was revoked');
  if (!user.roles.includes(ADMIN_ROLE)) {
    throw new AdminProblem(403, 'not-an-admin', 'the user does not have the admin role');
  }
  return { kind: 'user', id: user.id };
}
