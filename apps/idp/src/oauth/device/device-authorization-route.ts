import type { Middleware } from 'koa';
import { DEVICE_CODE_GRANT, type ClientRegistry } from '../../clients/client.js';
import type { Config } from '../../config/config.js';
import type { Store } from '../../store/store.js';
import { requestableScopes } from '../authorize/check-scope.js';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { readForm } from '../form-body.js';
import { InvalidScopeError } from '../oauth-errors.js';
import { resolveResources } from '../token/requested-resource.js';
import { resolveScope } from '../token/requested-scope.js';
import type { ClientLimit } from '../token/token-route.js';
import { requireGrantType } from '../token/user-tokens.js';
import { createDeviceAuthorizations } from './device-authorizations.js';
import { formatUserCode } from './user-code.js';

/**
 * POST /device_authorization (RFC 8628 §3.1, §3.2): the client authenticates as at /token
 * (a public client by its client_id alone), must be registered for the device grant, and
 * gets a device code (256 random bits, stored as a digest), a user code to show, and where
 * the user types it. The scope defaults to `openid`.
 */
export function deviceAuthorizationRoute(deps: {
  config: Config;
  store: Store;
  clients: ClientRegistry;
  now: () => number;
  limitClient?: ClientLimit;
}): Middleware {
  const devices = createDeviceAuthorizations(deps.store, deps.config.device, deps.now);
  const verificationUri = `${deps.config.issuer}/device`;
  return async (ctx) => {
    const form = await readForm(ctx);
    const client = authenticateClient(ctx, form, deps.clients);
    await deps.limitClient?.(client.id);
    requireGrantType(client, DEVICE_CODE_GRANT);
    const requested = form.single('scope');
    const scope =
      requested === undefined ? ['openid'] : resolveScope(requested, requestableScopes(client));
    if (scope.length === 0) throw new InvalidScopeError('scope is empty');
    const resources = resolveResources(form.all('resource'), client.resources);
    const started = await devices.start({ clientId: client.id, scope, resources });
    const userCode = formatUserCode(started.userCode);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      device_code: started.deviceCode,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${userCode}`,
      expires_in: started.expiresInSec,
      interval: started.intervalSec,
    };
  };
}
