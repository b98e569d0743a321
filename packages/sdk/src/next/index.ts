/**
 * @latchkey/sdk/next: what a Next.js (App Router, 16+) app needs to sign users in with Latchkey:
 * login with PKCE, the callback, an encrypted session cookie, single-flight refresh, logout that
 * ends single sign-on everywhere, a guard for `proxy.ts` and one for every protected page, and
 * bearer checks for route handlers. Needs the optional peers `next` and `ioredis`.
 */
export { createLatchkeyNext, type LatchkeyNext } from './create-latchkey-next.js';
export type { LatchkeyNextOptions, LatchkeyNextLogger } from './options.js';
export type { LatchkeySession } from './session-resolver.js';
export type { GetSessionOptions } from './data-access.js';
export type { TokenInspection } from './inspect.js';
export type { LatchkeyRoutes, ActionContext } from './routes.js';
export { stepUpLoginPath } from './routes.js';
export type { BearerRouteHandler } from './bearer-route.js';
export { HOST_SESSION_COOKIE, SESSION_COOKIE, sessionCookieName } from './cookies.js';
export type { BackChannelLogoutEvent } from '../logout/back-channel-logout.js';
export type { LoggedOutSessions } from '../logout/logged-out-sessions.js';
