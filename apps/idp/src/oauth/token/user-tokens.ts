import type { Client } from '../../clients/client.js';
import type { Session } from '../../sessions/session.js';
import type { User } from '../../users/user.js';
import { signAccessToken } from '../../tokens/access-token.js';
import { signIdToken } from '../../tokens/id-token.js';
import type { RefreshLifetime } from '../../tokens/refresh-token.js';
import { InvalidGrantError, UnauthorizedClientError } from '../oauth-errors.js';
import type { TokenResponse, UserGrantContext } from './token-response.js';

export interface UserTokenInput {
  session: Pick<Session, 'sid' | 'sub'>;
  authTime: number;
  /** How the user authenticated and the level reached: the ID token's `amr` and `acr`. */
  amr?: readonly string[] | undefined;
  acr?: string | undefined;
  scope: readonly string[];
  resources: readonly string[];
  nonce?: string | undefined;
  /**
   * Whether an ID token goes with the access token when `openid` was granted: yes for the
   * grants that end an authentication (code, device), no for refresh (OIDC Core §12.2 lets
   * a refresh answer leave it out; the client still holds the one of the login).
   */
  idToken: boolean;
  /** The DPoP key the access token is bound to (RFC 9449 §6.1), if the request had a proof. */
  jkt?: string | undefined;
}

/**
 * The session and the user a grant acts for, read at once (Redis and PostgreSQL answer in
 * parallel, so a grant waits for the slower of the two, not their sum). The session is null
 * when it ended or belongs to someone else; the user is null unless they exist and are active.
 */
export async function findGrantHolder(
  { sessions, users }: Pick<UserGrantContext, 'sessions' | 'users'>,
  sid: string,
  sub: string,
  nowMs: number,
): Promise<{ session: Session | null; user: User | null }> {
  const [session, user] = await Promise.all([sessions.find(sid, nowMs), users.findById(sub)]);
  return {
    session: session?.sub === sub ? session : null,
    user: user?.state === 'active' ? user : null,
  };
}

/** The one refusal for a user deleted or disabled since the grant began. */
export function inactiveUser(): InvalidGrantError {
  return new InvalidGrantError('the user of this grant no longer exists or is disabled');
}

/**
 * The access token (RFC 9068, `aud` = the resources) and, when asked and `openid` was
 * granted, the ID token of a user grant. The user is the one just read (findGrantHolder), so
 * a role change shows in the next token.
 */
export async function signUserTokens(
  { config, keys, now }: UserGrantContext,
  client: Client,
  user: User,
  input: UserTokenInput,
): Promise<TokenResponse> {
  const at = now();
  const { token } = await signAccessToken(keys.signingKey(config.accessTokenAlg), {
    issuer: config.issuer,
    subject: user.id,
    clientId: client.id,
    audience: input.resources,
    scope: input.scope,
    ttlMs: config.accessTokenTtlMs,
    now: at,
    sid: input.session.sid,
    authTime: input.authTime,
    username: user.username,
    roles: user.roles,
    jkt: input.jkt,
  });
  const idToken =
    input.idToken && input.scope.includes('openid')
      ? await signIdToken(keys.signingKey(client.idTokenSignedResponseAlg), {
          issuer: config.issuer,
          subject: user.id,
          clientId: client.id,
          ttlMs: config.idTokenTtlMs,
          now: at,
          authTime: input.authTime,
          sid: input.session.sid,
          amr: input.amr,
          acr: input.acr,
          nonce: input.nonce,
          accessToken: token,
          scope: input.scope,
          user,
        })
      : undefined;
  return {
    access_token: token,
    token_type: input.jkt === undefined ? 'Bearer' : 'DPoP',
    expires_in: Math.floor(config.accessTokenTtlMs / 1000),
    ...(input.scope.length > 0 && { scope: input.scope.join(' ') }),
    ...(idToken !== undefined && { id_token: idToken }),
  };
}

/** RFC 6749 §5.2 `unauthorized_client`: the registration does not list this grant. */
export function requireGrantType(client: Client, grantType: Client['grantTypes'][number]): void {
  if (!client.grantTypes.includes(grantType)) {
    throw new UnauthorizedClientError(`this client may not use the ${grantType} grant`);
  }
}

/**
 * A refresh token goes with a user grant when the client may refresh and either asked for
 * `offline_access` or can keep a secret (OIDC Core §11 leaves confidential clients free to
 * refresh within the session; public clients must ask).
 */
export function shouldIssueRefreshToken(client: Client, scope: readonly string[]): boolean {
  return (
    client.grantTypes.includes('refresh_token') &&
    (scope.includes('offline_access') || client.secretDigest !== null)
  );
}

/**
 * A refresh token never outlives REFRESH_TOKEN_TTL (PUBLIC_CLIENT_REFRESH_IDLE_TTL for a
 * public client), nor the session's absolute limit. Each rotation computes it anew, so the
 * lifetime is an idle one: a token used in time is replaced by one that lives as long again.
 */
export function refreshLifetime(
  { config }: UserGrantContext,
  client: Pick<Client, 'secretDigest' | 'firstParty'>,
  session: Pick<Session, 'expiresAt'>,
  nowMs: number,
): RefreshLifetime {
  const ttl =
    client.secretDigest === null ? config.publicClientRefreshIdleTtlMs : config.refreshTokenTtlMs;
  return {
    expiresAt: Math.min(nowMs + ttl, session.expiresAt),
    now: nowMs,
    // Only a third-party client's access can be removed by the user (consent/).
    removable: client.firstParty === false,
  };
}
