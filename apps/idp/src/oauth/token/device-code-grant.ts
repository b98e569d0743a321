import { DEVICE_CODE_GRANT, type Client } from '../../clients/client.js';
import { issueRefreshToken } from '../../tokens/refresh-token.js';
import { createDeviceAuthorizations } from '../device/device-authorizations.js';
import {
  accessDenied,
  authorizationPending,
  expiredToken,
  slowDown,
} from '../device/device-errors.js';
import type { FormParams } from '../form-body.js';
import { InvalidGrantError, InvalidRequestError } from '../oauth-errors.js';
import type { DpopBinding, TokenResponse, UserGrantContext } from './token-response.js';
import {
  refreshLifetime,
  requireGrantType,
  shouldIssueRefreshToken,
  signUserTokens,
  findGrantHolder,
  inactiveUser,
} from './user-tokens.js';

const UNUSABLE = 'the device code is invalid or was issued to another client';

/**
 * RFC 8628 §3.4, §3.5: the device polls with its device code. Until the user decides it is
 * told `authorization_pending`; polling faster than the interval gets `slow_down` and a
 * 5-second longer interval from then on; a denial `access_denied`; a code past its lifetime
 * `expired_token`. An approved code is spent by the poll that takes it (device-authorizations.ts,
 * compare-and-set), so it yields tokens once; any later use is `invalid_grant`.
 *
 * The tokens belong to the browser session that approved the device (its `sid`): a logout
 * there, or any revocation of that session, ends them like any other token of the session.
 */
export async function deviceCodeGrant(
  client: Client,
  form: FormParams,
  deps: UserGrantContext,
  { jkt }: DpopBinding,
): Promise<TokenResponse> {
  requireGrantType(client, DEVICE_CODE_GRANT);
  const deviceCode = form.single('device_code');
  if (deviceCode === undefined) throw new InvalidRequestError('device_code is required');
  const devices = createDeviceAuthorizations(deps.store, deps.config.device, deps.now);
  const outcome = await devices.poll(deviceCode, client.id);
  switch (outcome.kind) {
    case 'unknown':
      throw new InvalidGrantError(UNUSABLE).withDetail('unknown device code or another client');
    case 'used':
      throw new InvalidGrantError('the device code was already used').withDetail(
        'device code reuse',
      );
    case 'expired':
      throw expiredToken();
    case 'slow_down':
      throw slowDown(outcome.intervalSec);
    case 'pending':
      throw authorizationPending();
    case 'denied':
      throw accessDenied();
  }
  const { authorization } = outcome;
  const approval = authorization.approval!;
  const at = deps.now();
  const { session, user } = await findGrantHolder(deps, approval.sid, approval.sub, at);
  if (!session) throw new InvalidGrantError('the session that approved this device has ended');
  if (!user) throw inactiveUser();
  const response = await signUserTokens(deps, client, user, {
    session,
    authTime: approval.authTime,
    amr: approval.amr,
    acr: approval.acr,
    scope: authorization.scope,
    resources: authorization.resources,
    idToken: true,
    jkt,
  });
  if (!shouldIssueRefreshToken(client, authorization.scope)) return response;
  const refreshToken = await issueRefreshToken(
    deps.store,
    {
      clientId: client.id,
      sid: session.sid,
      sub: session.sub,
      scope: authorization.scope,
      resources: authorization.resources,
      authTime: approval.authTime,
      ...(approval.amr !== undefined && { amr: approval.amr }),
      ...(approval.acr !== undefined && { acr: approval.acr }),
      // RFC 9449 §5: as for the code grant, a public client's refresh token is bound to the
      // key that proved the poll that took the device code.
      ...(jkt !== undefined && client.secretDigest === null && { jkt }),
    },
    refreshLifetime(deps, client, session, at),
  );
  return { ...response, refresh_token: refreshToken };
}
