import 'server-only';
import { createLatchkeyNext } from '@latchkey/sdk/next';
import { config } from '../config';
import { log } from './log';

/**
 * The shop as a Latchkey relying party. Its session token is for the shop's own API, and it
 * also asks for the wiki's API as a resource (RFC 8707) so that the same token can be
 * presented to the wiki server-to-server.
 */
export const latchkey = createLatchkeyNext({
  issuer: config.issuer,
  idpInternalUrl: config.idpInternalUrl,
  allowHttpIdp: config.allowHttpIdp,
  appUrl: config.appUrl,
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  scope: 'openid profile wiki:read',
  resources: [`${config.appUrl}/api`, `${config.wikiUrl}/api`],
  audience: `${config.appUrl}/api`,
  sessionSecret: config.sessionSecret,
  redisUrl: config.redisUrl,
  postLogoutRedirectUri: `${config.appUrl}/`,
  logger: log,
});
