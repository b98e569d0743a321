import { createHash, randomBytes } from 'node:crypto';
import { SHOP } from '../peers/bench-clients.js';

/**
 * What the login cases need of a browser, without one: a cookie jar per sign-in, requests
 * that never follow redirects (each step is checked), the shop's /authorize URL with PKCE,
 * and a form field read from a page.
 */
export type Jar = Map<string, string>;

export async function send(jar: Jar, url: string | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(';')[0] ?? '';
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return response;
}

export const post = (jar: Jar, url: string, fields: Record<string, string>) =>
  send(jar, url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

export const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

/** The shop's authorization request (PKCE S256), as its login route builds it. */
export function shopAuthorizeUrl(base: string): URL {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${base}/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: SHOP.id,
    redirect_uri: SHOP.redirectUri,
    scope: 'openid profile',
    state: randomBytes(8).toString('base64url'),
    nonce: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return authorize;
}

/** Throws unless `response` is the redirect back to the shop with a code. */
export async function expectCode(response: Response, base: string, what: string): Promise<void> {
  await response.arrayBuffer();
  const location = response.headers.get('location') ?? '';
  if (response.status !== 303 || !new URL(location, base).searchParams.has('code')) {
    throw new Error(`${what} answered ${response.status} ${location}`);
  }
}

/**
 * `browsers` loops of `signIn` for `durationSec` (each loop bounded in count too): how many
 * sign-ins completed, and how many a second.
 */
export async function measureSignIns(
  browsers: number,
  durationSec: number,
  signIn: () => Promise<void>,
): Promise<{ total: number; perSecond: number }> {
  const deadline = performance.now() + durationSec * 1000;
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: browsers }, async () => {
      let done = 0;
      while (performance.now() < deadline && done < 5000) {
        await signIn();
        done += 1;
      }
      return done;
    }),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  return { total, perSecond: total / ((performance.now() - started) / 1000) };
}
