import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TokenInvalidError, TokenRequestError, VerificationUnavailableError } from '../errors.js';
import type { Verifier } from '../verifier.js';
import {
  expiredCookie,
  expiredSessionCookie,
  readCookie,
  readSessionCookie,
  serializeCookie,
  sessionCookie,
  TRANSACTION_MAX_AGE_SEC,
  transactionCookieName,
  transactionCookiePath,
} from './cookies.js';
import { errorPage } from './error-page.js';
import type { ResolvedNextOptions } from './options.js';
import { returnUrl, safeReturnTo } from './return-to.js';
import type { Sealer } from './sealed-value.js';
import type { SessionResolver } from './session-resolver.js';
import type { TokenClient } from './token-client.js';

/** App Router route handlers for `app/auth/[action]/route.ts`. */
export interface LatchkeyRoutes {
  // Properties, not methods: they are destructured into route exports, and carry no `this`.
  GET: (request: Request, context: ActionContext) => Promise<Response>;
  POST: (request: Request, context: ActionContext) => Promise<Response>;
}

/** Next 16 passes route params as a promise. */
export interface ActionContext {
  params: Promise<{ action?: string | string[] }>;
}

interface LoginTransaction {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  expiresAt: number;
}

const TRANSACTION_PURPOSE = 'latchkey-login-v1';

/**
 * The `acr` of `/auth/login?acr=…`, as OIDC `acr_values` (space-separated, in order of
 * preference): kept only when it is a short list of printable tokens, dropped otherwise (a
 * link someone edited signs in at the default level, never fails).
 */
export function acrValuesParam(raw: string | null): string | undefined {
  if (raw === null) return undefined;
  const values = raw.split(' ').filter(Boolean);
  const readable = values.every((value) => /^[\x21-\x7e]{1,200}$/.test(value));
  return values.length > 0 && values.length <= 10 && readable ? values.join(' ') : undefined;
}

/** The app's login path asking for `acr` (e.g. the mfa level before a sensitive action). */
export function stepUpLoginPath(acr: string, returnTo: string, loginPath = '/auth/login'): string {
  const query = new URLSearchParams({ returnTo, acr });
  return `${loginPath}?${query.toString()}`;
}
const BACK_CHANNEL = 'backchannel-logout';

export function createRoutes(deps: {
  options: ResolvedNextOptions;
  verifier: Verifier;
  ready: () => Promise<void>;
  tokens: TokenClient;
  sealer: Sealer;
  sessions: SessionResolver;
  /** POST /auth/backchannel-logout (the client's `backchannel_logout_uri`). */
  backChannelLogout?: (request: Request) => Promise<Response>;
  now?: () => number;
}): LatchkeyRoutes {
  const { options, verifier, ready, tokens, sealer, sessions } = deps;
  const now = deps.now ?? Date.now;
  const secure = options.secureCookies;

  /** §4.1.1 of RFC 7636 (PKCE S256), plus `state` (CSRF) and `nonce` (ID-token replay). */
  function login(request: Request): Response {
    const url = new URL(request.url);
    const transaction: LoginTransaction = {
      state: random(),
      nonce: random(),
      verifier: random(),
      returnTo: safeReturnTo(url.searchParams.get('returnTo')),
      expiresAt: now() + TRANSACTION_MAX_AGE_SEC * 1000,
    };
    const authorize = new URL(options.authorizeEndpoint);
    const params = authorize.searchParams;
    params.set('response_type', 'code');
    params.set('client_id', options.clientId);
    params.set('redirect_uri', options.redirectUri);
    params.set('scope', options.scope);
    params.set('state', transaction.state);
    params.set('nonce', transaction.nonce);
    params.set(
      'code_challenge',
      createHash('sha256').update(transaction.verifier).digest('base64url'),
    );
    params.set('code_challenge_method', 'S256');
    for (const resource of options.resources) params.append('resource', resource);
    // Step-up: `/auth/login?acr=…` asks the IdP for that level (OIDC `acr_values`); the IdP
    // proves only the missing factor and keeps the single sign-on session.
    const acr = acrValuesParam(url.searchParams.get('acr'));
    if (acr !== undefined) params.set('acr_values', acr);

    const headers = new Headers({ location: authorize.href, 'cache-control': 'no-store' });
    headers.append(
      'set-cookie',
      serializeCookie(
        transactionCookieName(transaction.state, secure),
        sealer.seal(TRANSACTION_PURPOSE, transaction),
        { path: transactionCookiePath(secure), maxAge: TRANSACTION_MAX_AGE_SEC, secure },
      ),
    );
    return new Response(null, { status: 302, headers });
  }

  async function callback(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const state = params.get('state') ?? '';
    const cookieName = transactionCookieName(state, secure);
    const transaction = parseTransaction(
      sealer.unseal(TRANSACTION_PURPOSE, readCookie(request.headers.get('cookie'), cookieName)),
    );
    // The transaction is single use whatever happens next.
    const clearTransaction = expiredCookie(cookieName, transactionCookiePath(secure), secure);
    const fail = (status: number, title: string, detail: string): Response =>
      withCookies(errorPage(status, title, detail), [clearTransaction]);

    if (!transaction || transaction.expiresAt < now() || !sameText(state, transaction.state)) {
      return fail(
        400,
        'This sign-in cannot be completed',
        'The sign-in link expired, was already used, or was started in another browser. Please start again.',
      );
    }
    // RFC 9207: the response names its issuer, so a mix-up with another IdP is noticed.
    if (params.get('iss') !== options.issuer) {
      return fail(
        400,
        'This sign-in cannot be completed',
        'The answer came from an unexpected issuer.',
      );
    }
    const error = params.get('error');
    if (error !== null) {
      const detail =
        error === 'access_denied'
          ? 'Access was denied.'
          : `The identity provider answered “${error.slice(0, 64)}”.`;
      return fail(400, 'Sign-in did not complete', detail);
    }
    const code = params.get('code');
    if (!code)
      return fail(400, 'Sign-in did not complete', 'The answer carried no authorization code.');

    try {
      await ready();
      const issued = await tokens({
        grant_type: 'authorization_code',
        code,
        redirect_uri: options.redirectUri,
        code_verifier: transaction.verifier,
      });
      if (issued.idToken === undefined) {
        return fail(502, 'Sign-in did not complete', 'The identity provider sent no ID token.');
      }
      const claims = await verifier.verifyAccessToken(issued.accessToken);
      const id = await verifier.verifyIdToken(issued.idToken, {
        nonce: transaction.nonce,
        accessToken: issued.accessToken,
      });
      if (id.sub !== claims.sub || claims.sid === undefined) {
        return fail(502, 'Sign-in did not complete', 'The tokens do not belong together.');
      }
      const cookie = sessions.seal({
        at: issued.accessToken,
        rt: issued.refreshToken,
        it: issued.idToken,
        sub: claims.sub,
        sid: claims.sid,
      });
      const response = new Response(null, {
        // 303: the browser follows with a GET, whatever brought it here.
        status: 303,
        headers: {
          location: returnUrl(transaction.returnTo, options.appOrigin),
          'cache-control': 'no-store',
        },
      });
      return withCookies(response, [clearTransaction, sessionCookie(cookie, secure)]);
    } catch (error) {
      if (error instanceof TokenRequestError) {
        return fail(
          400,
          'Sign-in did not complete',
          `The identity provider refused the code (${error.error}).`,
        );
      }
      if (error instanceof TokenInvalidError) {
        return fail(502, 'Sign-in did not complete', `The tokens did not verify (${error.code}).`);
      }
      if (error instanceof VerificationUnavailableError) {
        return fail(
          503,
          'Sign-in is temporarily unavailable',
          'The identity provider cannot be reached. Please try again in a moment.',
        );
      }
      throw error;
    }
  }

  /**
   * Ends the app session and sends the browser to the IdP's end-session endpoint, which ends the
   * single sign-on session and revokes it for every app. POST only, from this origin: a logout a
   * third-party page could trigger with an image tag would be a nuisance attack.
   */
  function logout(request: Request): Response {
    if (!isSameOrigin(request, options.appOrigin)) {
      return errorPage(403, 'Log out was refused', 'The request did not come from this site.', '/');
    }
    const stored = sessions.read(readSessionCookie(request.headers.get('cookie'), secure));
    const endSession = new URL(options.endSessionEndpoint);
    endSession.searchParams.set('client_id', options.clientId);
    endSession.searchParams.set('post_logout_redirect_uri', options.postLogoutRedirectUri);
    if (stored?.it !== undefined) endSession.searchParams.set('id_token_hint', stored.it);
    const response = new Response(null, {
      status: 303,
      headers: { location: endSession.href, 'cache-control': 'no-store' },
    });
    return withCookies(response, [expiredSessionCookie(secure)]);
  }

  const action = async (context: ActionContext): Promise<string | undefined> => {
    const value = (await context.params).action;
    return Array.isArray(value) ? value.join('/') : value;
  };

  return {
    async GET(request, context) {
      const name = await action(context);
      if (name === 'login') return login(request);
      if (name === 'callback') return callback(request);
      if (name === 'logout') return methodNotAllowed('POST');
      if (name === BACK_CHANNEL && deps.backChannelLogout) return methodNotAllowed('POST');
      return notFound();
    },
    async POST(request, context) {
      const name = await action(context);
      if (name === 'logout') return logout(request);
      // Server to server, from the IdP: no browser, so no same-origin check; the signed
      // logout token is what authenticates the call.
      if (name === BACK_CHANNEL && deps.backChannelLogout) return deps.backChannelLogout(request);
      if (name === 'login' || name === 'callback') return methodNotAllowed('GET');
      return notFound();
    },
  };
}

function random(): string {
  return randomBytes(32).toString('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseTransaction(value: unknown): LoginTransaction | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const strings = ['state', 'nonce', 'verifier', 'returnTo'] as const;
  if (!strings.every((k) => typeof v[k] === 'string') || typeof v.expiresAt !== 'number') {
    return undefined;
  }
  return v as unknown as LoginTransaction;
}

/** Fetch metadata first, Origin second; a browser always sends one of them on a form POST. */
function isSameOrigin(request: Request, appOrigin: string): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin';
  return request.headers.get('origin') === appOrigin;
}

function withCookies(response: Response, cookies: string[]): Response {
  for (const cookie of cookies) response.headers.append('set-cookie', cookie);
  return response;
}

function methodNotAllowed(allow: string): Response {
  return new Response(JSON.stringify({ error: 'method_not_allowed' }), {
    status: 405,
    headers: { allow, 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

function notFound(): Response {
  return new Response(JSON.stringify({ error: 'not_found' }), {
    status: 404,
    headers: { 'content-type': 'application/json' },
  });
}
