import type { Client } from '../../clients/client.js';
import type { FormParams } from '../form-body.js';
import type { CodeGrant } from '../../tokens/authorization-code.js';
import { findAuthorizationCode, redeemAuthorizationCode } from '../../tokens/authorization-code.js';
import { issueRefreshToken } from '../../tokens/refresh-token.js';
import { InvalidGrantError, InvalidRequestError } from '../oauth-errors.js';
import { checkCodeVerifier } from '../pkce.js';
import { resolveResources } from './requested-resource.js';
import type { DpopBinding, TokenResponse, UserGrantContext } from './token-response.js';
import {
  findGrantHolder,
  inactiveUser,
  refreshLifetime,
  requireGrantType,
  shouldIssueRefreshToken,
  signUserTokens,
} from './user-tokens.js';

// One answer for every code that cannot be used here, so none reveals whether a code exists.
const UNUSABLE = 'the authorization code is invalid, expired, or was issued to another client';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636) as OAuth 2.1 requires. The checks run in the order of
 * the spec, each before anything is written, so a refused request leaves the code unspent:
 *
 * 1. the code exists and was issued to the authenticated client (a code presented by another
 *    client is refused like an unknown one, and neither spent nor treated as a replay, so a
 *    client that got hold of someone else's code can neither use it nor burn it);
 * 2. `redirect_uri` equals the one sent to /authorize;
 * 3. the PKCE verifier matches the S256 challenge;
 * 4. a code already spent is a replay, and §4.1.2 asks to revoke what the first use issued:
 *    the whole session goes;
 * 5. the session the code was issued in is still alive (a logout in between ends the grant);
 * 6. the tokens are made (the refresh family written under a fresh id), and only then is the
 *    code spent, atomically, as the very last step: of concurrent uses one wins, the others
 *    are replays (step 4). Spending last means a store failure anywhere before leaves the
 *    code unspent, so the client can retry once Redis is back instead of being treated as
 *    a replayer; a family written for a request that then fails is never handed out, so
 *    nothing usable is left behind. (Only a reply lost after the spend itself, an unknown
 *    outcome, can still cost the session, which is the fail-safe side.)
 */
export async function authorizationCodeGrant(
  client: Client,
  form: FormParams,
  deps: UserGrantContext,
  { jkt }: DpopBinding,
): Promise<TokenResponse> {
  requireGrantType(client, 'authorization_code');
  const code = form.single('code');
  if (code === undefined) throw new InvalidRequestError('code is required');
  const redirectUri = form.single('redirect_uri');
  const verifier = form.single('code_verifier');

  const found = await findAuthorizationCode(deps.store, code);
  if (!found) throw new InvalidGrantError(UNUSABLE).withDetail('unknown or expired code');
  if (found.grant.clientId !== client.id) {
    throw new InvalidGrantError(UNUSABLE).withDetail(`code issued to ${found.grant.clientId}`);
  }
  const { grant } = found;
  if (redirectUri !== grant.redirectUri) {
    throw new InvalidGrantError('redirect_uri does not match the authorization request');
  }
  checkCodeVerifier(verifier, grant.codeChallenge);
  // RFC 9449 §10: a code bound to a DPoP key is redeemed with a proof by that key only.
  if (grant.dpopJkt !== undefined && grant.dpopJkt !== jkt) {
    throw new InvalidGrantError(
      jkt === undefined
        ? 'this code is bound to a DPoP key: send a DPoP proof by it'
        : 'the DPoP proof key is not the one named by dpop_jkt',
    );
  }
  const resources = resolveResources(form.all('resource'), grant.resources);

  if (found.used) await revokeForReplay(deps, grant);

  const at = deps.now();
  const { session, user } = await findGrantHolder(deps, grant.sid, grant.sub, at);
  if (!session) throw new InvalidGrantError('the session this code was issued in has ended');
  if (!user) throw inactiveUser();
  const response = await signUserTokens(deps, client, user, {
    session,
    authTime: grant.authTime,
    amr: grant.amr,
    acr: grant.acr,
    scope: grant.scope,
    resources,
    nonce: grant.nonce,
    idToken: true,
    jkt,
  });
  const refreshToken = shouldIssueRefreshToken(client, grant.scope)
    ? await issueRefreshToken(
        deps.store,
        {
          clientId: client.id,
          sid: session.sid,
          sub: session.sub,
          scope: grant.scope,
          resources: grant.resources,
          authTime: grant.authTime,
          ...(grant.amr !== undefined && { amr: grant.amr }),
          ...(grant.acr !== undefined && { acr: grant.acr }),
          // RFC 9449 §5: a public client's refresh token is bound to its DPoP key (a
          // confidential client's is bound to its credentials already).
          ...(jkt !== undefined && client.secretDigest === null && { jkt }),
        },
        refreshLifetime(deps, client, session, at),
      )
    : undefined;

  const redemption = await redeemAuthorizationCode(deps.store, code);
  if (redemption.status === 'unknown') {
    throw new InvalidGrantError(UNUSABLE).withDetail('code expired while being redeemed');
  }
  if (redemption.status === 'replayed') await revokeForReplay(deps, grant);
  return refreshToken === undefined ? response : { ...response, refresh_token: refreshToken };
}

async function revokeForReplay(deps: UserGrantContext, grant: CodeGrant): Promise<never> {
  await deps.revoker.revokeSession({ sid: grant.sid, sub: grant.sub }, 'code_replay');
  throw new InvalidGrantError(
    'the authorization code was already used; the tokens issued for it are revoked',
  ).withDetail('code replay: its session is revoked');
}
