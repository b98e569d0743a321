import 'server-only';
import { createLatchkeyNext, type LatchkeyNext, type LatchkeyNextLogger } from '@latchkey/sdk/next';
import type { DemoConfig } from './config.js';

/** What differs between the demo apps as relying parties. */
export interface DemoRelyingParty {
  /** What /authorize asks for; `openid` is added by the SDK. */
  scope: string;
  /** RFC 8707 resources: the app's own API first, then any other it calls with the token. */
  resources: string[];
}

/**
 * A demo app as a Latchkey relying party: its session token is for its own API
 * (`${appUrl}/api`), and after logout the IdP sends the browser back to its home page.
 */
export function createDemoLatchkey(
  config: DemoConfig,
  logger: LatchkeyNextLogger,
  app: DemoRelyingParty,
): LatchkeyNext {
  return createLatchkeyNext({
    issuer: config.issuer,
    idpInternalUrl: config.idpInternalUrl,
    allowHttpIdp: config.allowHttpIdp,
    appUrl: config.appUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scope: app.scope,
    resources: app.resources,
    audience: `${config.appUrl}/api`,
    sessionSecret: config.sessionSecret,
    redisUrl: config.redisUrl,
    postLogoutRedirectUri: `${config.appUrl}/`,
    logger,
  });
}
