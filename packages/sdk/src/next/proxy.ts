import { NextResponse } from 'next/server';
// Type-only with `.js`: see create-latchkey-next.ts.
import type { NextRequest } from 'next/server.js';
import {
  expiredSessionCookie,
  readSessionCookie,
  sessionCookie,
  sessionCookieName,
} from './cookies.js';
import { errorPage } from './error-page.js';
import type { ResolvedNextOptions } from './options.js';
import type { SessionResolver } from './session-resolver.js';

/**
 * The guard for `proxy.ts`: the one place that may refresh, because it can store the rotated
 * cookie. It is a convenience and a fast path, never the only check: every protected page calls
 * getSession() again (CVE-2025-29927 let a forged header skip the proxy altogether).
 */
export function createProxy(
  options: ResolvedNextOptions,
  sessions: SessionResolver,
): (request: NextRequest) => Promise<Response> {
  const secure = options.secureCookies;

  return async (request) => {
    const state = await sessions.resolve(
      readSessionCookie(request.headers.get('cookie'), secure),
      true,
    );
    if (state.kind === 'active') {
      if (state.cookie === undefined) return NextResponse.next();
      // The page rendering this request must already see the new tokens, and the browser
      // must keep them: the refresh token they replace is spent.
      // Replaces every copy of the name: the page then reads the one the proxy checked.
      request.cookies.set(sessionCookieName(secure), state.cookie);
      const headers = new Headers(request.headers);
      headers.set('cookie', request.cookies.toString());
      const response = NextResponse.next({ request: { headers } });
      response.headers.append('set-cookie', sessionCookie(state.cookie, secure));
      return response;
    }
    if (state.kind === 'unavailable') {
      return errorPage(
        503,
        'Temporarily unavailable',
        'Your sign-in cannot be checked right now. Please try again in a moment.',
        request.nextUrl.pathname,
      );
    }
    const returnTo = `${request.nextUrl.pathname}${request.nextUrl.search}`;
    const login = new URL('/auth/login', options.appOrigin);
    login.searchParams.set('returnTo', returnTo);
    const response = NextResponse.redirect(login, 307);
    response.headers.set('cache-control', 'no-store');
    if (state.kind === 'ended') {
      response.headers.append('set-cookie', expiredSessionCookie(secure));
    }
    return response;
  };
}
