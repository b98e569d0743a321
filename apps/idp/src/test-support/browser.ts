import { createHash, randomBytes } from 'node:crypto';

/**
 * A minimal browser for tests: keeps cookies per host (honouring Max-Age/Expires deletion),
 * never follows redirects (tests look at each Location), sends form posts like a browser.
 * Cookie attributes other than expiry (Path, SameSite, Secure) are not modelled: every test
 * request is same-site to one IdP.
 */
export interface Browser {
  /** `fetch` with this browser's cookies, `redirect: 'manual'`. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
  /** Submits a form (`application/x-www-form-urlencoded`) as a POST. */
  post(url: string | URL, fields: Record<string, string>): Promise<Response>;
  /** The cookie's current value for the URL's host, if any. */
  cookie(url: string | URL, name: string): string | undefined;
  /** Sets (or, with undefined, deletes) a cookie by hand, e.g. to replay an old one. */
  setCookie(url: string | URL, name: string, value: string | undefined): void;
}

export function createBrowser(): Browser {
  const jar = new Map<string, Map<string, string>>();
  const hostJar = (url: string | URL) => {
    const host = new URL(url).host;
    let cookies = jar.get(host);
    if (!cookies) jar.set(host, (cookies = new Map<string, string>()));
    return cookies;
  };

  const browserFetch = async (url: string | URL, init: RequestInit = {}) => {
    const cookies = hostJar(url);
    const headers = new Headers(init.headers);
    if (cookies.size > 0) {
      headers.set('Cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const expired = attributes.some((attribute) => {
        const [key = '', raw = ''] = attribute.split('=');
        if (key.toLowerCase() === 'max-age') return Number(raw) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(raw) <= Date.now();
        return false;
      });
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  };

  return {
    fetch: browserFetch,
    post: (url, fields) =>
      browserFetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      }),
    cookie: (url, name) => hostJar(url).get(name),
    setCookie(url, name, value) {
      if (value === undefined) hostJar(url).delete(name);
      else hostJar(url).set(name, value);
    },
  };
}

/** A PKCE pair (RFC 7636): a random verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  /** Default `openid profile email`. */
  scope?: string;
  /** Default: random. */
  state?: string;
  /** Default: random. */
  nonce?: string;
  /** Default: a fresh pkcePair(). */
  pkce?: { verifier: string; challenge: string };
  /** More parameters (`prompt`, `max_age`, `resource`, …); they override the above. */
  extra?: Record<string, string>;
}

/** The /authorize URL for a request, with everything it used (to check the answer). */
export function authorizeUrl(
  idpUrl: string,
  request: AuthorizeRequest,
): { url: URL; state: string; nonce: string; verifier: string } {
  const state = request.state ?? randomBytes(12).toString('base64url');
  const nonce = request.nonce ?? randomBytes(12).toString('base64url');
  const pkce = request.pkce ?? pkcePair();
  const url = new URL('/authorize', idpUrl);
  const params = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope ?? 'openid profile email',
    state,
    nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...request.extra,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { url, state, nonce, verifier: pkce.verifier };
}

/** The hidden fields of the login page (`authz`, `csrf`), read from its HTML. */
export function loginFormFields(html: string): { authz: string; csrf: string } {
  const field = (name: string) => {
    const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!match?.[1]) throw new Error(`the login page has no ${name} field`);
    return match[1];
  };
  return { authz: field('authz'), csrf: field('csrf') };
}

export interface SignInResult {
  /** The authorization code. */
  code: string;
  /** The full redirect back to the client (with `code`, `state`, `iss`). */
  callback: URL;
  state: string;
  nonce: string;
  /** The PKCE verifier to send to /token. */
  verifier: string;
  /** False when the browser's IdP session answered without the login form (SSO). */
  loginFormShown: boolean;
}

/**
 * Runs the browser side of the authorization code flow: GET /authorize, then (unless the
 * IdP session answers at once) the login form with `credentials`; returns the code from the
 * redirect back to the client. Throws, with the status and body, on any other answer.
 */
export async function signIn(
  browser: Browser,
  idpUrl: string,
  request: AuthorizeRequest & {
    username?: string;
    password?: string;
    /** The second factor to type when the IdP asks for one (a TOTP or recovery code). */
    secondFactor?: () => string;
  },
): Promise<SignInResult> {
  const { url, state, nonce, verifier } = authorizeUrl(idpUrl, request);
  let response = await browser.fetch(url);
  let loginFormShown = false;
  let location = redirectTarget(response, idpUrl);
  if (location.pathname === '/login' && location.origin === new URL(idpUrl).origin) {
    loginFormShown = true;
    const page = await browser.fetch(location);
    if (page.status !== 200) throw new Error(`GET /login answered ${page.status}`);
    const fields = loginFormFields(await page.text());
    if (request.username === undefined || request.password === undefined) {
      throw new Error('the IdP asked for a login and no credentials were given');
    }
    response = await browser.post(new URL('/login', idpUrl), {
      ...fields,
      username: request.username,
      password: request.password,
    });
    location = redirectTarget(response, idpUrl);
  }
  if (location.pathname === '/login/second-factor' && location.origin === new URL(idpUrl).origin) {
    loginFormShown = true;
    if (request.secondFactor === undefined) {
      throw new Error('the IdP asked for a second factor and none was given');
    }
    response = await submitSecondFactor(browser, location, request.secondFactor());
    location = redirectTarget(response, idpUrl);
  }
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in the redirect: ${location.href}`);
  return { code, callback: location, state, nonce, verifier, loginFormShown };
}

/** The hidden fields of the second-factor page (`step`, `csrf`), read from its HTML. */
export function secondFactorFields(html: string): { step: string; csrf: string } {
  const field = (name: string) => {
    const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!match?.[1]) throw new Error(`the second-factor page has no ${name} field`);
    return match[1];
  };
  return { step: field('step'), csrf: field('csrf') };
}

/** Opens the second-factor page at `location` and submits `code`; the POST's answer. */
export async function submitSecondFactor(
  browser: Browser,
  location: URL,
  code: string,
): Promise<Response> {
  const page = await browser.fetch(location);
  if (page.status !== 200) throw new Error(`GET ${location.pathname} answered ${page.status}`);
  const fields = secondFactorFields(await page.text());
  return browser.post(new URL('/login/second-factor', location), { ...fields, code });
}

function redirectTarget(response: Response, base: string): URL {
  const location = response.headers.get('location');
  if (response.status < 300 || response.status >= 400 || !location) {
    throw new Error(`expected a redirect, got ${response.status}`);
  }
  return new URL(location, base);
}

/** The `sid` a session cookie's value names (`sid.mac`, sessions/session-cookie.ts). */
export function sidInCookie(value: string): string {
  return value.slice(0, value.lastIndexOf('.'));
}
