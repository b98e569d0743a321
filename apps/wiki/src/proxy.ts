import type { NextRequest } from 'next/server';
import { latchkey } from './lib/latchkey';

/**
 * A fast first check and the silent refresh; the real check is `latchkey.getSession()` in every
 * protected page, so nothing depends on this having run (CVE-2025-29927).
 */
export function proxy(request: NextRequest): Promise<Response> {
  return latchkey.proxy(request);
}

export const config = {
  // /auth/* must stay reachable without a session (it is how one gets a session); /api/*
  // answers bearer tokens with 401 JSON rather than redirecting to a login page.
  matcher: ['/((?!auth/|api/|_next/|favicon\\.ico|icon\\.svg|robots\\.txt).*)'],
};
