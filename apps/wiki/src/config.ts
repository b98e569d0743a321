import 'server-only';
import { readDemoConfig, type DemoConfig } from '@latchkey/demo-kit/config';
import { log } from './lib/log';

/**
 * The wiki's configuration, read from the environment once: the variables every demo app
 * reads (see @latchkey/demo-kit/config) and the wiki's own. A bad value stops start-up with
 * one line per problem naming the variable.
 */
export interface WikiConfig extends DemoConfig {
  /** Public URL of the shop, for the link to it. */
  shopUrl: string;
}

export const config: Readonly<WikiConfig> = readDemoConfig(
  process.env,
  {
    name: 'wiki',
    appUrl: 'http://wiki.localhost:3002',
    demoClientId: 'wiki',
    demoClientSecret: 'wiki-demo-secret',
    log,
  },
  (read) => ({ shopUrl: read.url('SHOP_URL', 'http://shop.localhost:3001') }),
);
