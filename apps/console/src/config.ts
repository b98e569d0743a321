import 'server-only';
import { readDemoConfig, type DemoConfig } from '@latchkey/demo-kit/config';
import { log } from './lib/log';

/**
 * The console's configuration, read from the environment once: the variables every demo app
 * reads (see @latchkey/demo-kit/config) and the console's own. A bad value stops start-up with
 * one line per problem naming the variable.
 */
export interface ConsoleConfig extends DemoConfig {
  /** The admin API's resource identifier (RFC 8707), `${ISSUER}/admin/v1`: the `aud` of the console's tokens. */
  adminAudience: string;
  /** Where this server calls the admin API: `${IDP_INTERNAL_URL}/admin/v1`. */
  adminApiUrl: string;
  /** CONSOLE_REQUIRE_MFA: an admin must have signed in with a second factor (acr mfa). */
  requireMfa: boolean;
}

const common = readDemoConfig(
  process.env,
  {
    name: 'console',
    appUrl: 'http://console.localhost:3003',
    demoClientId: 'console',
    demoClientSecret: 'console-demo-secret',
    log,
  },
  (read) => ({
    // On unless turned off: the admin console is the one app where a stolen password alone must
    // not be enough. The demo turns it off, its users having no second factor enrolled.
    requireMfa:
      (process.env.CONSOLE_REQUIRE_MFA ?? '') === '' || read.boolean('CONSOLE_REQUIRE_MFA'),
  }),
);

export const config: Readonly<ConsoleConfig> = Object.freeze({
  ...common,
  adminAudience: `${common.issuer}/admin/v1`,
  adminApiUrl: `${common.idpInternalUrl}/admin/v1`,
});
