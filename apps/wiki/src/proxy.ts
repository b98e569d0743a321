import type { NextRequest } from 'next/server';
import { config as appConfig } from './config';
import { contentSecurityPolicy } from './lib/content-security-policy';
import { latchkey } from './lib/latchkey';

// Pages get the policy with the IdP's origin in form-action (see content-security-policy.ts).
const PAGE_POLICY = contentSecurityPolicy({
  devServer: appConfig.devServer,
  formActionOrigins: [new URL(appConfig.issuer).origin],
});

/**
 * A fast first check and the silent refresh; the real check is `latchkey.getSession()` in every
 * protected page, so nothing depends on this having run (CVE-2025-29927).
 */
export async function proxy(request: NextRequest): Promise<Response> {
  const response = await latchkey.proxy(request);
  response.headers.set('Content-Security-Policy', PAGE_POLICY);
  return response;
}

export const config = {
  // /auth/* must stay reachable without a session (it is how one gets a session); /api/*
  // answers bearer tokens with 401 JSON rather than redirecting to a login page.
  matcher: ['/((?!auth/|api/|_next/|favicon\\.ico|icon\\.svg|robots\\.txt).*)'],
};
