import 'server-only';
import { createLatchkeyNext } from '@latchkey/sdk/next';
import { config } from '../config';
import { log } from './log';

/**
 * The wiki as a Latchkey relying party. Its API and its pages share one audience, so the token
 * the shop obtained for the wiki's API is accepted by `withBearer` below as well.
 */
export const latchkey = createLatchkeyNext({
  issuer: config.issuer,
  idpInternalUrl: config.idpInternalUrl,
  allowHttpIdp: config.allowHttpIdp,
  appUrl: config.appUrl,
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  scope: 'openid profile wiki:read wiki:write',
  resources: [`${config.appUrl}/api`],
  audience: `${config.appUrl}/api`,
  sessionSecret: config.sessionSecret,
  redisUrl: config.redisUrl,
  postLogoutRedirectUri: `${config.appUrl}/`,
  logger: log,
});
