import { accessTokenHash, type IdTokenClaims, type SigningAlgorithm } from '@latchkey/protocol';
import type { Client } from '../clients/client.js';
import type { SigningKey } from '../keys/key-manager.js';
import { signCompactJws } from '@latchkey/protocol/jwt';

/** Profile claims the ID token and /userinfo release, by scope (OIDC Core §5.4). */
export interface UserClaimsSource {
  username: string;
  name?: string | undefined;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
}

export interface IdTokenInput {
  issuer: string;
  subject: string;
  clientId: string;
  ttlMs: number;
  now: number;
  /** Epoch seconds of the login the session stands for (OIDC Core §2 `auth_time`). */
  authTime: number;
  sid: string;
  /** RFC 8176 methods and the level reached (OIDC Core §2); absent for older grants. */
  amr?: readonly string[] | undefined;
  acr?: string | undefined;
  /** Only on the token response to a code whose request carried one (§3.1.3.6). */
  nonce?: string | undefined;
  /** The access token issued with it, for `at_hash` (§3.1.3.6). */
  accessToken: string;
  scope: readonly string[];
  user?: UserClaimsSource | undefined;
}

/**
 * Signs an OpenID Connect ID token (OIDC Core §2, §3.1.3.6) with the client's registered
 * algorithm. `typ: JWT` keeps it distinct from an `at+jwt` access token (RFC 8725 §3.11).
 */
export function signIdToken(key: SigningKey, input: IdTokenInput): Promise<string> {
  const iat = Math.floor(input.now / 1000);
  const claims: IdTokenClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.clientId,
    // §2: the party the token was issued to; equal to the one audience.
    azp: input.clientId,
    iat,
    exp: iat + Math.floor(input.ttlMs / 1000),
    auth_time: input.authTime,
    sid: input.sid,
    ...(input.amr !== undefined && { amr: [...input.amr] }),
    ...(input.acr !== undefined && { acr: input.acr }),
    at_hash: accessTokenHash(input.accessToken, key.alg),
    ...(input.nonce !== undefined && { nonce: input.nonce }),
    ...(input.user && scopedUserClaims(input.user, input.scope)),
  };
  return Promise.resolve(signCompactJws(key, 'JWT', claims));
}

/** §5.4: `profile` releases the name claims, `email` the email claims; nothing else does. */
export function scopedUserClaims(
  user: UserClaimsSource,
  scope: readonly string[],
): Record<string, string | boolean> {
  return {
    ...(scope.includes('profile') && {
      preferred_username: user.username,
      ...(user.name !== undefined && { name: user.name }),
    }),
    ...(scope.includes('email') &&
      user.email !== undefined && {
        email: user.email,
        email_verified: user.emailVerified ?? false,
      }),
  };
}

/**
 * One line per client whose `id_token_signed_response_alg` the key policy does not sign
 * with: such a registration must stop start-up, not fail at its first login.
 */
export function unsignableIdTokenClients(
  clients: readonly Client[],
  algorithms: readonly SigningAlgorithm[],
): string[] {
  return clients
    .filter((client) => !algorithms.includes(client.idTokenSignedResponseAlg))
    .map(
      (client) =>
        `CLIENTS_FILE: client "${client.id}": id_token_signed_response_alg ` +
        `${client.idTokenSignedResponseAlg} is not signed by this IdP (it signs with ` +
        `${algorithms.join(', ')}; ACCESS_TOKEN_SIGNING_ALG adds one)`,
    );
}
