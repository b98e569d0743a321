import 'server-only';
import { createDemoLatchkey } from '@latchkey/demo-kit/latchkey';
import { config } from '../config';
import { log } from './log';

/**
 * The shop as a Latchkey relying party. Its session token is for the shop's own API, and it
 * also asks for the wiki's API as a resource (RFC 8707) so that the same token can be
 * presented to the wiki server-to-server.
 */
export const latchkey = createDemoLatchkey(config, log, {
  scope: 'openid profile wiki:read',
  resources: [`${config.appUrl}/api`, `${config.wikiUrl}/api`],
});
