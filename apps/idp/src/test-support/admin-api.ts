import { adminAudience } from '../admin/admin-auth.js';
import { createBrowser, signIn } from './browser.js';
import { ISSUER, post } from './grants.js';
import { basicAuth, type TestIdp } from './test-idp.js';

/** The admin API's audience (`resource`) in the test IdP, and the demo clients that use it. */
export const ADMIN_API = adminAudience(ISSUER);
export const OPS = { id: 'ops', auth: basicAuth('ops', 'ops-demo-secret') };
export const CONSOLE = {
  id: 'console',
  auth: basicAuth('console', 'console-demo-secret'),
  redirectUri: 'http://console.localhost:3003/auth/callback',
};

/** A token of the `ops` machine client from the real /token endpoint (client_credentials). */
export async function opsToken(idp: TestIdp, scope = 'latchkey:admin'): Promise<string> {
  const result = await post(
    idp,
    '/token',
    { grant_type: 'client_credentials', scope, resource: ADMIN_API },
    { Authorization: OPS.auth },
  );
  if (result.status !== 200) throw new Error(`/token answered ${result.status}: ${result.text}`);
  return result.json.access_token as string;
}

/**
 * A user's token for the admin API, as the console gets one: a real login through /authorize
 * and the login form, then the code redeemed at /token.
 */
export async function consoleToken(
  idp: TestIdp,
  credentials: { username: string; password: string },
  scope = 'openid latchkey:admin',
): Promise<string> {
  const browser = createBrowser();
  const signedIn = await signIn(browser, idp.url, {
    clientId: CONSOLE.id,
    redirectUri: CONSOLE.redirectUri,
    scope,
    extra: { resource: ADMIN_API },
    ...credentials,
  });
  const result = await post(
    idp,
    '/token',
    {
      grant_type: 'authorization_code',
      code: signedIn.code,
      redirect_uri: CONSOLE.redirectUri,
      code_verifier: signedIn.verifier,
    },
    { Authorization: CONSOLE.auth },
  );
  if (result.status !== 200) throw new Error(`/token answered ${result.status}: ${result.text}`);
  return result.json.access_token as string;
}

export interface AdminAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body (problem or resource); undefined for none. */
  body: Record<string, unknown> | undefined;
  text: string;
}

/** One call of the admin API; `body` is sent as JSON unless it is a string (sent as is). */
export async function admin(
  idp: TestIdp,
  token: string | undefined,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<AdminAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${idp.url}/admin/v1${path}`, {
    method,
    headers,
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** The problem type's kind: `urn:latchkey:problem:not-found` → `not-found`. */
export function problemKind(answer: AdminAnswer): string | undefined {
  const type = answer.body?.type;
  return typeof type === 'string' ? type.replace('urn:latchkey:problem:', '') : undefined;
}
