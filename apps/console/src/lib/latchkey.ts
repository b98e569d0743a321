import 'server-only';
import { createLatchkeyNext } from '@latchkey/sdk/next';
import { config } from '../config';
import { log } from './log';

/**
 * The console as a Latchkey relying party. Its access token is for the admin API (RFC 8707
 * resource, the token's `aud`), so the token that proves the session is the very one the
 * console presents to the API on the admin's behalf: no shared secret, and the API checks the
 * admin's role and session itself on every call. `latchkey:admin` allows changes;
 * `latchkey:admin.read` alone would allow only reading.
 */
export const latchkey = createLatchkeyNext({
  issuer: config.issuer,
  idpInternalUrl: config.idpInternalUrl,
  allowHttpIdp: config.allowHttpIdp,
  appUrl: config.appUrl,
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  scope: 'openid latchkey:admin',
  resources: [config.adminAudience],
  audience: config.adminAudience,
  sessionSecret: config.sessionSecret,
  redisUrl: config.redisUrl,
  postLogoutRedirectUri: `${config.appUrl}/`,
  logger: log,
});
