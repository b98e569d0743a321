import 'server-only';
import { createDemoLatchkey } from '@latchkey/demo-kit/latchkey';
import { config } from '../config';
import { log } from './log';

/**
 * The wiki as a Latchkey relying party. Its API and its pages share one audience, so the token
 * the shop obtained for the wiki's API is accepted by `withBearer` as well.
 */
export const latchkey = createDemoLatchkey(config, log, {
  scope: 'openid profile wiki:read wiki:write',
  resources: [`${config.appUrl}/api`],
});
