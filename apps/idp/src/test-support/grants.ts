import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Session } from '../sessions/session.js';
import type { Store } from '../store/store.js';
import { issueAuthorizationCode, type CodeGrant } from '../tokens/authorization-code.js';
import type { NewUser, User } from '../users/user.js';
import { pkcePair } from './browser.js';
import { basicAuth, form, type TestIdp } from './test-idp.js';

/**
 * What a login and /authorize would leave behind, made directly, so the token side can be
 * tested on its own: a user, their session, and a code for a client.
 */
export const SHOP = {
  id: 'shop',
  auth: basicAuth('shop', 'shop-demo-secret'),
  redirectUri: 'http://shop.localhost:3001/auth/callback',
  postLogoutRedirectUri: 'http://shop.localhost:3001/',
  resources: ['http://shop.localhost:3001/api', 'http://wiki.localhost:3002/api'],
};
export const WIKI = {
  id: 'wiki',
  auth: basicAuth('wiki', 'wiki-demo-secret'),
  redirectUri: 'http://wiki.localhost:3002/auth/callback',
  resources: ['http://wiki.localhost:3002/api'],
};
/** A public client (auth method `none`, PKCE only), registered by `withTestClients`. */
export const SPA = {
  id: 'spa',
  redirectUri: 'http://spa.localhost:3003/callback',
  resources: ['http://wiki.localhost:3002/api'],
};
export const ISSUER = 'http://idp.localhost:4000';
export const WIKI_API = 'http://wiki.localhost:3002/api';

const DEMO_CLIENTS = fileURLToPath(new URL('../../demo/clients.json', import.meta.url));

/** A CLIENTS_FILE with the demo clients, the public `spa` client, and `extra`. */
export async function withTestClients(
  extra: object[] = [],
): Promise<{ file: string; remove: () => Promise<void> }> {
  // The demo's own `spa` (examples/spa, port 3010) gives way to the tests' one.
  const demo = (JSON.parse(await readFile(DEMO_CLIENTS, 'utf8')) as { client_id: string }[]).filter(
    (client) => client.client_id !== SPA.id,
  );
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-clients-'));
  const file = join(dir, 'clients.json');
  const spa = {
    client_id: SPA.id,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: [SPA.redirectUri],
    post_logout_redirect_uris: ['http://spa.localhost:3003/'],
    resources: SPA.resources,
  };
  await writeFile(file, JSON.stringify([...demo, spa, ...extra]));
  return { file, remove: () => rm(dir, { recursive: true }) };
}

export async function signIn(
  idp: TestIdp,
  user: Partial<User> & { username: string } = { username: 'alice' },
  nowMs = Date.now(),
): Promise<{ user: User; session: Session }> {
  // The demo users (alice, bob) are imported already: keep their id, as the username is unique.
  const existing = await idp.users.findByUsername(user.username);
  const saved: NewUser = {
    id: existing?.id ?? `id-${user.username}`,
    passwordHash: 'not-used-by-token-tests',
    roles: ['admin'],
    name: `${user.username[0]!.toUpperCase()}${user.username.slice(1)} Example`,
    email: `${user.username}@example.test`,
    emailVerified: true,
    ...user,
  };
  await idp.users.save(saved);
  const stored = (await idp.users.findById(saved.id))!;
  const session = await idp.sessions.create({ sub: saved.id, username: saved.username }, nowMs);
  return { user: stored, session };
}

export interface IssuedCode {
  code: string;
  verifier: string;
  grant: CodeGrant;
}

export async function codeFor(
  store: Store,
  session: Session,
  client: { id: string; redirectUri: string; resources: string[] },
  options: { scope?: string[]; nonce?: string } = {},
): Promise<IssuedCode> {
  const { verifier, challenge } = pkcePair();
  const grant: CodeGrant = {
    clientId: client.id,
    redirectUri: client.redirectUri,
    codeChallenge: challenge,
    scope: options.scope ?? ['openid', 'profile', 'email'],
    resources: client.resources,
    ...(options.nonce !== undefined && { nonce: options.nonce }),
    sid: session.sid,
    sub: session.sub,
    authTime: session.authTime,
  };
  return { code: await issueAuthorizationCode(store, grant), verifier, grant };
}

/**
 * A user signed in (their session) and the shop's tokens from a code redeemed in that
 * session: the starting point of most token-side tests. Throws unless /token answers 200.
 */
export async function signInToShop(
  idp: TestIdp,
  username: string,
  options: {
    nowMs?: number;
    scope?: string[];
    nonce?: string;
    /** Another confidential client than the shop, registered with the test IdP. */
    client?: { id: string; auth: string; redirectUri: string; resources: string[] };
  } = {},
): Promise<{ session: Session; tokens: Record<string, string> }> {
  const { session } = await signIn(idp, { username }, options.nowMs);
  const client = options.client ?? SHOP;
  const result = await redeem(idp, await codeFor(idp.store, session, client, options), client);
  if (result.status !== 200) throw new Error(`/token answered ${result.status}: ${result.text}`);
  return { session, tokens: result.json as Record<string, string> };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  text: string;
}

export async function post(
  idp: TestIdp,
  path: string,
  params: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const response = await fetch(`${idp.url}${path}`, {
    method: 'POST',
    headers,
    body: form(params),
    redirect: 'manual',
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (an empty /revoke answer, an HTML page)
  }
  return { status: response.status, headers: response.headers, json, text };
}

/**
 * Redeems a code as a confidential client (Basic auth) or a public one (client_id), with a
 * DPoP proof (RFC 9449) when `dpop` is given.
 */
export function redeem(
  idp: TestIdp,
  issued: IssuedCode,
  client: { id: string; redirectUri: string; auth?: string },
  overrides: Record<string, string> = {},
  dpop?: string,
): Promise<HttpResult> {
  const params: Record<string, string> = {
    grant_type: 'authorization_code',
    code: issued.code,
    redirect_uri: client.redirectUri,
    code_verifier: issued.verifier,
    ...(client.auth === undefined && { client_id: client.id }),
    ...overrides,
  };
  for (const [name, value] of Object.entries(params)) if (value === '') delete params[name];
  return post(idp, '/token', params, {
    ...(client.auth && { Authorization: client.auth }),
    ...(dpop !== undefined && { DPoP: dpop }),
  });
}

export function refresh(
  idp: TestIdp,
  refreshToken: string,
  client: { id: string; auth?: string },
  extra: Record<string, string> = {},
  dpop?: string,
): Promise<HttpResult> {
  return post(
    idp,
    '/token',
    {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...(client.auth === undefined && { client_id: client.id }),
      ...extra,
    },
    {
      ...(client.auth && { Authorization: client.auth }),
      ...(dpop !== undefined && { DPoP: dpop }),
    },
  );
}

/** Every RFC 6749 §5.2 refusal: the code, a description, never cached. */
export function oauthError(result: HttpResult): { status: number; error: unknown } {
  return { status: result.status, error: result.json.error };
}

/** Decodes a JWT payload without verifying it (the tests verify separately). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

/** Wraps a store so a test can list every key written through it (half-written state). */
export function recordingStore(store: Store): Store & { written: () => string[] } {
  const written: string[] = [];
  const wrapped = Object.create(store) as Store & { written: () => string[] };
  wrapped.set = (key, ...rest) => {
    written.push(key);
    return store.set(key, ...rest);
  };
  wrapped.compareAndSet = (key, ...rest) => {
    written.push(key);
    return store.compareAndSet(key, ...rest);
  };
  wrapped.written = () => [...written];
  for (const name of [
    'get',
    'take',
    'delete',
    'increment',
    'addToSet',
    'setMembers',
    'removeFromSet',
    'publish',
    'subscribe',
    'ping',
    'close',
  ] as const) {
    (wrapped as unknown as Record<string, unknown>)[name] = (
      store[name] as (...args: unknown[]) => unknown
    ).bind(store);
  }
  return wrapped;
}
