import 'server-only';
import { readDemoConfig, type DemoConfig } from '@latchkey/demo-kit/config';
import { log } from './lib/log';

/**
 * The shop's configuration, read from the environment once: the variables every demo app
 * reads (see @latchkey/demo-kit/config) and the shop's own. A bad value stops start-up with
 * one line per problem naming the variable.
 */
export interface ShopConfig extends DemoConfig {
  wikiUrl: string;
  wikiInternalUrl: string;
}

export const config: Readonly<ShopConfig> = readDemoConfig(
  process.env,
  {
    name: 'shop',
    appUrl: 'http://shop.localhost:3001',
    demoClientId: 'shop',
    demoClientSecret: 'shop-demo-secret',
    log,
  },
  (read) => ({
    wikiUrl: read.url('WIKI_URL', 'http://wiki.localhost:3002'),
    wikiInternalUrl: read.url('WIKI_INTERNAL_URL', 'http://127.0.0.1:3002'),
  }),
);
