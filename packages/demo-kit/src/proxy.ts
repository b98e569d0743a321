import type { LatchkeyNext } from '@latchkey/sdk/next';
import { contentSecurityPolicy } from './content-security-policy.js';

/**
 * The app's `proxy`: the SDK's fast first check and silent refresh, then the page policy. The
 * real check is `latchkey.getSession()` in every protected page, so nothing depends on this
 * having run (CVE-2025-29927). Pages get the policy with the IdP's origin in form-action (see
 * content-security-policy.ts).
 */
export function createPageProxy(
  latchkey: Pick<LatchkeyNext, 'proxy'>,
  config: { devServer: boolean; issuer: string },
): LatchkeyNext['proxy'] {
  const pagePolicy = contentSecurityPolicy({
    devServer: config.devServer,
    formActionOrigins: [new URL(config.issuer).origin],
  });
  return async (request) => {
    const response = await latchkey.proxy(request);
    response.headers.set('Content-Security-Policy', pagePolicy);
    return response;
  };
}
