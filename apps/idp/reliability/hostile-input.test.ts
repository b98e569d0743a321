/**
 * Promise 8: hostile input everywhere. fast-check throws random and malformed parameters,
 * bodies, headers, cookies and tokens at every IdP endpoint (an in-process IdP on the memory
 * store) and at the SDK; the only acceptable answers are well-formed: an RFC 6749 JSON error
 * or, from the pages people see, an HTML page for a 4xx; 2xx/3xx only where the input happens
 * to be valid. Any 5xx, malformed body, hang or unhandled rejection fails. The SDK may only
 * throw its TokenInvalidError family, or TypeError for caller misuse.
 *
 * Reproducible: a fixed seed (FC_SEED overrides it; FC_PATH replays one shrunk case, both
 * printed by fast-check on failure). Bounded: every property has a run count and a time
 * limit (at most 35 s for the file), every request a timeout.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { CompactSign } from 'jose';
import Koa from 'koa';
import { createVerifier, TokenInvalidError } from '@latchkey/sdk';
import { requireBearer } from '@latchkey/sdk/koa';
import { startTestRedis } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkcePair } from '../src/test-support/browser.js';
import {
  codeFor,
  ISSUER,
  signIn,
  signInToShop,
  SHOP,
  SPA,
  WIKI_API,
  withTestClients,
} from '../src/test-support/grants.js';
import { startIdp } from '../src/test-support/idp-process.js';
import { csrfCookieName } from '../src/login/csrf-cookie.js';
import {
  basicAuth,
  sessionCookieFor,
  startTestIdp,
  type TestIdp,
} from '../src/test-support/test-idp.js';

const SEED = Number(process.env.FC_SEED ?? 20_261_127);
const replay = process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH };
/** One request may take this long before it counts as a hang. */
const REQUEST_TIMEOUT_MS = 5_000;

const runOptions = (numRuns: number, timeLimitMs: number) => ({
  seed: SEED,
  ...replay,
  numRuns,
  plugins: [fc.interruptAfterTimeLimit(timeLimitMs), fc.timeout(REQUEST_TIMEOUT_MS + 1_000)],
});

let idp: TestIdp;
let removeClients: () => Promise<void>;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

/** Real credentials of this IdP, the raw material for valid and nearly valid inputs. */
interface Material {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  machineToken: string;
  sid: string;
  /** The Cookie header of a browser signed in to that session. */
  sessionCookie: string;
  kid: string;
  jwksJson: string;
  pendingAuthz: string;
  csrf: string;
}
let material: Material;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const clients = await withTestClients();
  removeClients = clients.remove;
  idp = await startTestIdp({ CLIENTS_FILE: clients.file });
  const { session, tokens } = await signInToShop(idp, 'mallory', {
    scope: ['openid', 'profile', 'email', 'offline_access'],
  });
  const machine = await post('/token', 'grant_type=client_credentials', {
    Authorization: basicAuth('reports', 'reports-demo-secret'),
  });
  const jwks = await send({ method: 'GET', path: '/jwks', headers: {} });
  const jwksJson = jwks.body.toString();
  const kid = (JSON.parse(jwksJson) as { keys: Array<{ kid: string }> }).keys[0]!.kid;
  // A pending authorization and its login form, for the login page's own checks.
  const { challenge } = pkcePair();
  const authorize = await send({
    method: 'GET',
    path: `/authorize?${new URLSearchParams({ ...validAuthorize(), code_challenge: challenge }).toString()}`,
    headers: {},
  });
  const pendingAuthz = new URL(String(authorize.headers.location), idp.url).searchParams.get(
    'authz',
  )!;
  const page = await send({ method: 'GET', path: `/login?authz=${pendingAuthz}`, headers: {} });
  const csrf = /name="csrf" value="([^"]*)"/.exec(page.body.toString())![1]!;
  material = {
    accessToken: tokens.access_token!,
    idToken: tokens.id_token!,
    refreshToken: tokens.refresh_token!,
    machineToken: (JSON.parse(machine.body.toString()) as { access_token: string }).access_token,
    sid: session.sid,
    sessionCookie: `latchkey_session=${sessionCookieFor(idp, session.sid)}`,
    kid,
    jwksJson,
    pendingAuthz,
    csrf,
  };
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await idp?.close();
  await removeClients?.();
});

// ---------------------------------------------------------------------------------------
// Raw HTTP: node:http rather than fetch, so duplicated headers and invalid UTF-8 go as sent.

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}
interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(request: RawRequest, base = idp.url): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.path,
        agent: false,
        headers: {
          ...request.headers,
          Connection: 'close',
          ...(request.body !== undefined && { 'Content-Length': String(request.body.length) }),
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms (a hang)`));
    }, REQUEST_TIMEOUT_MS);
    req.on('error', (error) => {
      // The server may answer (413) and close before it read a huge body: the answer counts.
      if (!answered) {
        clearTimeout(timer);
        reject(error);
      }
    });
    req.end(request.body);
  });
}

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  send({
    method: 'POST',
    path,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: Buffer.from(body),
  });

/** The pages people see answer errors with HTML; everything else with RFC 6749 JSON. */
const HTML_PATHS = new Set(['/authorize', '/login', '/logout']);
const RFC6749_ERROR = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;

/** Throws (failing the property) unless the answer is one of the acceptable ones. */
function checkAnswer(request: RawRequest, response: RawResponse): void {
  const where = `${request.method} ${request.path.slice(0, 120)} → ${response.status}`;
  const fail = (why: string) => {
    throw new Error(`${where}: ${why}; body: ${response.body.toString().slice(0, 300)}`);
  };
  if (response.status >= 500 || response.status < 200) fail('not a 2xx/3xx/4xx');
  const type = String(response.headers['content-type'] ?? '');
  const text = response.body.toString();
  if (request.method === 'HEAD' || response.status === 204 || response.status === 304) return;
  // The router answers OPTIONS itself: 200, an Allow header, no body.
  if (request.method === 'OPTIONS' && response.status === 200 && text === '') return;
  // Node's HTTP parser refuses some requests itself (400, 413, 431) with an empty body.
  if (type === '' && text === '' && [400, 413, 431].includes(response.status)) return;
  if (response.status >= 300 && response.status < 400) {
    if (!response.headers.location) fail('a redirect without Location');
    return;
  }
  if (/^application\/([\w.-]+\+)?json\b/.test(type)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      fail('a JSON content type with a body that is not JSON');
    }
    if (response.status >= 400) {
      const { error, error_description } = json as Record<string, unknown>;
      if (typeof error !== 'string' || !RFC6749_ERROR.test(error)) fail('no RFC 6749 error');
      if (typeof error_description !== 'string') fail('no error_description');
    }
    return;
  }
  // The router matches case-insensitively and ignores a trailing slash.
  const path = new URL(request.path, 'http://x').pathname.toLowerCase().replace(/(.)\/$/, '$1');
  if (type.startsWith('text/html') && HTML_PATHS.has(path)) {
    if (!/^<!doctype html>/i.test(text)) fail('an HTML page that is not a document');
    return;
  }
  if (response.status === 200 && request.method === 'POST' && path === '/revoke' && text === '') {
    return; // RFC 7009 §2.2: an empty 200
  }
  fail(`unexpected content type "${type}"`);
}

// ---------------------------------------------------------------------------------------
// Arbitraries.

const ENDPOINTS: ReadonlyArray<{ path: string; methods: readonly string[] }> = [
  { path: '/.well-known/openid-configuration', methods: ['GET'] },
  { path: '/.well-known/oauth-authorization-server', methods: ['GET'] },
  { path: '/jwks', methods: ['GET'] },
  { path: '/authorize', methods: ['GET', 'POST'] },
  { path: '/login', methods: ['GET', 'POST'] },
  { path: '/token', methods: ['POST'] },
  { path: '/userinfo', methods: ['GET', 'POST', 'OPTIONS'] },
  { path: '/revoke', methods: ['POST'] },
  { path: '/introspect', methods: ['POST'] },
  { path: '/logout', methods: ['GET', 'POST'] },
  { path: '/healthz', methods: ['GET'] },
  { path: '/readyz', methods: ['GET'] },
];
const ODD_PATHS = [
  '/',
  '/nope',
  '/%',
  '/%zz',
  '/%C0%AF',
  '/%00',
  '//authorize',
  '/authorize/',
  '/TOKEN',
  '/token;x=1',
  '/.well-known/',
  '/.well-known/openid-configuration/../jwks',
  '/%2e%2e/%2e%2e/etc/passwd',
  `/${'a'.repeat(3000)}`,
  '/jwks?%',
  '/userinfo?access_token=x',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

const PARAM_NAMES = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'max_age',
  'resource',
  'request',
  'request_uri',
  'response_mode',
  'login_hint',
  'grant_type',
  'code',
  'code_verifier',
  'refresh_token',
  'client_secret',
  'token',
  'token_type_hint',
  'access_token',
  'id_token_hint',
  'post_logout_redirect_uri',
  'confirm',
  'csrf',
  'authz',
  'username',
  'password',
  '__proto__',
  'constructor',
  'hasOwnProperty',
];

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const jwtOf = (header: object, payload: object, signature = '') =>
  `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${signature}`;

/** Tokens: random, real, truncated, tampered, alg none/HS256, the wrong typ, refresh-shaped. */
const tokenArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('access', 'id', 'refresh', 'machine').map((kind) => realToken(kind)),
  fc
    .tuple(fc.constantFrom('access', 'id', 'refresh'), fc.nat())
    .map(([kind, at]) => realToken(kind).slice(0, at % realToken(kind).length)),
  fc
    .tuple(
      fc.constantFrom('access', 'id', 'refresh', 'machine'),
      fc.nat(),
      fc.constantFrom(...'AbZ_-.=0'),
    )
    .map(([kind, at, char]) => {
      const token = realToken(kind);
      const i = at % token.length;
      return `${token.slice(0, i)}${char}${token.slice(i + 1)}`;
    }),
  fc.constantFrom('at+jwt', 'JWT', 'jwt', undefined, 'application/at+jwt', 'x').chain((typ) =>
    fc
      .record({ alg: fc.constantFrom('none', 'HS256', 'ES256', 'RS256', 'EdDSA', 'foo') })
      .map(({ alg }) => {
        const [, payload = ''] = realToken('access').split('.');
        const header = { alg, typ, kid: material.kid };
        const head = `${b64url(JSON.stringify(header))}.${payload}`;
        if (alg === 'none') return `${head}.`;
        // The classic confusion: the public key set used as an HMAC secret.
        return `${head}.${createHmac('sha256', material.jwksJson).update(head).digest('base64url')}`;
      }),
  ),
  fc
    .jsonValue({ maxDepth: 2 })
    .map((payload) =>
      jwtOf(
        { alg: 'ES256', typ: 'at+jwt', kid: material.kid },
        { payload },
        b64url(randomBytes(64)),
      ),
    ),
  fc
    .constant(null)
    .map(() => `${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`),
  fc.constantFrom('a.b.c', '..', '.', 'e30.e30.', 'e30.e30.e30', `${'A'.repeat(9000)}`),
);

function realToken(kind: string): string {
  if (kind === 'id') return material.idToken;
  if (kind === 'refresh') return material.refreshToken;
  if (kind === 'machine') return material.machineToken;
  return material.accessToken;
}

/** Past every per-value limit (2-4 KiB), within Node's 16 KiB for the request line and headers. */
/**
 * Tokens signed by the IdP's own keys whose claims are hostile: what only a bug, an old
 * version or a stolen key would produce, checked all the same (defence in depth). A claim
 * set to undefined is removed.
 */
interface SignedRecipe {
  signed: true;
  alg: 'ES256' | 'RS256';
  typ: string | undefined;
  base: 'access' | 'id';
  /** Merged into the real token's claims, or the whole raw payload. */
  payload: Record<string, unknown> | string;
}
const CLAIM_NAMES = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'client_id',
  'scope',
  'sid',
  'auth_time',
  'nonce',
  'azp',
  'roles',
  'preferred_username',
  '__proto__',
];
const hostileClaimArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(1e308, -1, 0, 2 ** 53, 1.5, '', 'x', [], {}, null, [1], ['a', 2], true),
  fc.constant(null).map(() => material.sid),
  fc.jsonValue({ maxDepth: 2 }),
);
const signedRecipeArb: fc.Arbitrary<SignedRecipe> = fc.record({
  signed: fc.constant(true as const),
  alg: fc.constantFrom('ES256' as const, 'RS256' as const),
  typ: fc.constantFrom('at+jwt', 'JWT', undefined, 'application/at+jwt', 'AT+JWT'),
  base: fc.constantFrom('access' as const, 'id' as const),
  payload: fc.oneof(
    {
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom(...CLAIM_NAMES), hostileClaimArb), {
          minLength: 1,
          maxLength: 3,
        })
        .map((pairs) => Object.fromEntries(pairs)),
      weight: 5,
    },
    {
      arbitrary: fc.oneof(
        fc.constantFrom('null', '[]', '1', '"x"', '{', '', '{"exp":1e999}', '\u00ff'),
        fc.string({ unit: 'binary', maxLength: 40 }),
      ),
      weight: 1,
    },
  ),
});

async function signRecipe(recipe: SignedRecipe): Promise<string> {
  const key = idp.keys.signingKey(recipe.alg);
  let payload: string;
  if (typeof recipe.payload === 'string') payload = recipe.payload;
  else {
    const [, real = ''] = realToken(recipe.base).split('.');
    const claims = JSON.parse(Buffer.from(real, 'base64url').toString()) as Record<string, unknown>;
    for (const [name, value] of Object.entries(recipe.payload)) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    payload = JSON.stringify(claims);
  }
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...(recipe.typ && { typ: recipe.typ }) })
    .sign(key.privateKey);
}

const hugeArb = fc
  .tuple(
    fc.integer({ min: 1_000, max: 6_000 }),
    fc.constantFrom('a', '%', '€', '\u0000', '+', '%ff'),
  )
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

const KNOWN_VALUES: Record<string, string[]> = {
  response_type: ['code', 'token', 'code id_token', 'none'],
  client_id: ['shop', 'wiki', 'reports', 'spa', 'nobody', ''],
  redirect_uri: [
    SHOP.redirectUri,
    SPA.redirectUri,
    'http://evil.localhost/cb',
    'javascript:alert(1)',
  ],
  scope: ['openid', 'openid profile email offline_access', 'wiki:read', 'openid admin', ' '],
  code_challenge_method: ['S256', 'plain', 's256'],
  prompt: ['none', 'login', 'none login', 'consent select_account', 'bogus'],
  max_age: ['0', '1', '-1', '99999999999', '1e3', 'NaN', '0x10'],
  resource: [WIKI_API, 'http://wiki.localhost:3002/api#x', 'not a uri', 'urn:x'],
  response_mode: ['query', 'fragment', 'form_post'],
  grant_type: [
    'authorization_code',
    'refresh_token',
    'client_credentials',
    'password',
    'implicit',
    'toString',
    '__proto__',
  ],
  token_type_hint: ['access_token', 'refresh_token', 'bogus'],
  post_logout_redirect_uri: [SHOP.postLogoutRedirectUri, 'http://evil.localhost/'],
  confirm: ['yes', 'no'],
  username: ['alice', 'mallory', 'nobody'],
  password: ['wonderland-alice', 'wrong'],
  client_secret: ['shop-demo-secret', 'wrong'],
};

const valueArb = (name: string): fc.Arbitrary<string> => {
  const known = Object.hasOwn(KNOWN_VALUES, name) ? KNOWN_VALUES[name] : undefined;
  const dynamic = fc.constant(null).map(() => dynamicValue(name) ?? '');
  return fc.oneof(
    { arbitrary: known ? fc.constantFrom(...known) : fc.string({ maxLength: 20 }), weight: 3 },
    { arbitrary: dynamic, weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 64 }), weight: 2 },
    { arbitrary: tokenArb, weight: 2 },
    { arbitrary: hugeArb, weight: 1 },
  );
};

/** Values only known once the IdP runs: a real challenge, pending id, CSRF token, sid. */
function dynamicValue(name: string): string | undefined {
  switch (name) {
    case 'code_challenge':
      return pkcePair().challenge;
    case 'code_verifier':
      return pkcePair().verifier;
    case 'authz':
      return material.pendingAuthz;
    case 'csrf':
      return material.csrf;
    case 'state':
    case 'nonce':
      return randomBytes(8).toString('hex');
    case 'id_token_hint':
      return material.idToken;
    case 'token':
    case 'access_token':
      return material.accessToken;
    case 'refresh_token':
      return material.refreshToken;
    default:
      return undefined;
  }
}

const paramsArb: fc.Arbitrary<Array<[string, string]>> = fc.array(
  fc
    .oneof(
      { arbitrary: fc.constantFrom(...PARAM_NAMES), weight: 6 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
    )
    .chain((name) => valueArb(name).map((value): [string, string] => [name, value])),
  { maxLength: 12 },
);

/** Percent-encoding as a browser would, or raw (odd `%` sequences, `+`, `&`, `=` left as typed). */
const encodeParams = (params: Array<[string, string]>, raw: boolean): string =>
  params
    .map(([name, value]) =>
      raw
        ? `${printable(name)}=${printable(value)}`
        : `${encodeURIComponent(toWellFormed(name))}=${encodeURIComponent(toWellFormed(value))}`,
    )
    .join('&');

/** What a request line may carry as sent by node:http: visible latin1, the rest encoded. */
const printable = (value: string) =>
  toWellFormed(value).replace(/[^\x21-\x7e]/gu, (char) => encodeURIComponent(char));
const toWellFormed = (value: string) => value.replace(/\p{Cs}/gu, '\ufffd');
/** What a header may carry as sent by node:http. */
const headerSafe = (value: string) => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

const authorizationArb: fc.Arbitrary<string | string[] | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    SHOP.auth,
    basicAuth('reports', 'reports-demo-secret'),
    basicAuth('spa', ''),
    basicAuth('shop', 'wrong'),
    'Basic',
    'Basic ',
    'Basic ===',
    'Basic !!!!',
    `Basic ${b64url('no-colon')}`,
    `Basic ${Buffer.from(':empty-id').toString('base64')}`,
    `Basic ${Buffer.from('%zz:%zz').toString('base64')}`,
    `Basic ${Buffer.from('\u00ff\u00fe:x', 'latin1').toString('base64')}`,
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Digest x',
    `Basic ${'A'.repeat(10_000)}`,
  ),
  tokenArb.map((token) => `Bearer ${token}`),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.tuple(fc.constant(SHOP.auth), tokenArb).map(([basic, token]) => [basic, `Bearer ${token}`]),
);

const cookieValueArb = fc.oneof(
  fc.constant(null).map(() => material.sid),
  fc.constant(null).map(() => material.csrf),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('', '"', '""', '%', '%zz', ';', '=', ',', '\\', 'a'.repeat(43), 'x'.repeat(6000)),
);
const cookieArb: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('latchkey_session', 'latchkey_csrf', '__Host-latchkey_session', 'x', ''),
        cookieValueArb,
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('; ')),
);

const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/x-www-form-urlencoded'), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      undefined,
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded; charset=utf-16',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded, application/json',
      '*/*',
      '',
    ),
    weight: 2,
  },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
);

const bodyArb = (params: Array<[string, string]>): fc.Arbitrary<Buffer | undefined> =>
  fc.oneof(
    { arbitrary: fc.constant(Buffer.from(encodeParams(params, false))), weight: 4 },
    { arbitrary: fc.constant(Buffer.from(encodeParams(params, true))), weight: 1 },
    { arbitrary: fc.constant(Buffer.from(JSON.stringify(Object.fromEntries(params)))), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    {
      // Invalid UTF-8: lone continuation bytes, overlongs, a truncated sequence.
      arbitrary: fc
        .uint8Array({ maxLength: 256 })
        .map((bytes) =>
          Buffer.concat([
            Buffer.from(encodeParams(params, false)),
            Buffer.from([0xff, 0xc0, 0x80]),
            bytes,
          ]),
        ),
      weight: 1,
    },
    {
      // Past the 8-32 KiB body limits.
      arbitrary: fc
        .integer({ min: 8_000, max: 80_000 })
        .map((length) => Buffer.from(`grant_type=${'a'.repeat(length)}`)),
      weight: 1,
    },
  );

interface Shape {
  path: string;
  method: string;
  params: Array<[string, string]>;
  rawQuery: boolean;
  headers: Record<string, string | string[]>;
  body: Buffer | undefined;
}

const requestArb: fc.Arbitrary<Shape> = fc
  .oneof(
    { arbitrary: fc.constantFrom(...ENDPOINTS), weight: 12 },
    {
      arbitrary: fc.constantFrom(...ODD_PATHS).map((path) => ({ path, methods: ['GET', 'POST'] })),
      weight: 1,
    },
  )
  .chain((endpoint) =>
    fc.record({
      path: fc.constant(endpoint.path),
      method: fc.oneof(
        { arbitrary: fc.constantFrom(...endpoint.methods), weight: 6 },
        { arbitrary: fc.constantFrom(...METHODS), weight: 1 },
      ),
      params: paramsArb,
      rawQuery: fc.boolean(),
      authorization: authorizationArb,
      cookie: cookieArb,
      contentType: contentTypeArb,
      extra: fc.option(
        fc.dictionary(
          fc.constantFrom(
            'X-Forwarded-For',
            'Origin',
            'Accept',
            'Host',
            'X-Huge',
            'Accept-Encoding',
          ),
          fc.oneof(
            fc.string({ maxLength: 40 }),
            hugeArb.map((huge) => huge.slice(0, 6000)),
          ),
          { maxKeys: 3 },
        ),
        { nil: undefined },
      ),
    }),
  )
  .chain(({ authorization, cookie, contentType, extra, ...rest }) =>
    bodyArb(rest.params).map((body): Shape => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(extra ?? {})) headers[name] = headerSafe(value);
      if (authorization !== undefined)
        headers.Authorization = Array.isArray(authorization)
          ? authorization.map(headerSafe)
          : headerSafe(authorization);
      if (cookie !== undefined) headers.Cookie = headerSafe(cookie);
      if (contentType !== undefined) headers['Content-Type'] = headerSafe(contentType);
      return {
        ...rest,
        headers,
        body: rest.method === 'GET' || rest.method === 'HEAD' ? undefined : body,
      };
    }),
  );

function toRequest(shape: Shape): RawRequest {
  const query = encodeParams(shape.params, shape.rawQuery);
  const separator = shape.path.includes('?') ? '&' : '?';
  // Parameters ride in the query for GET, and in half of the other requests too.
  const inQuery = shape.method === 'GET' || shape.method === 'HEAD' || shape.rawQuery;
  return {
    method: shape.method,
    path: inQuery && query !== '' ? `${shape.path}${separator}${query}` : shape.path,
    headers: shape.headers,
    ...(shape.body !== undefined && { body: shape.body }),
  };
}

// ---------------------------------------------------------------------------------------
// Nearly valid requests: a valid one per endpoint and grant, then one to three mutations, so
// the fuzzing reaches each endpoint's own checks instead of stopping at the first one.

function validAuthorize(): Record<string, string> {
  return {
    response_type: 'code',
    client_id: SHOP.id,
    redirect_uri: SHOP.redirectUri,
    scope: 'openid profile email',
    state: 'st',
    nonce: 'no',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  };
}

interface TemplateRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  headers: Record<string, string>;
}
type Template = () => TemplateRequest | Promise<TemplateRequest>;

const TEMPLATES: Record<string, Template> = {
  'authorize (GET, signed in)': () => ({
    method: 'GET',
    path: '/authorize',
    params: validAuthorize(),
    headers: { Cookie: material.sessionCookie },
  }),
  'authorize (POST)': () => ({
    method: 'POST',
    path: '/authorize',
    params: { ...validAuthorize(), prompt: 'login', max_age: '5' },
    headers: {},
  }),
  'login (POST)': () => ({
    method: 'POST',
    path: '/login',
    params: {
      authz: material.pendingAuthz,
      csrf: material.csrf,
      username: 'alice',
      password: 'wrong',
    },
    headers: { Cookie: `${csrfCookieName(material.pendingAuthz)}=${material.csrf}` },
  }),
  'token: authorization_code': async () => {
    const { session } = await signIn(idp, { username: 'mallory' });
    const issued = await codeFor(idp.store, session, SHOP);
    return {
      method: 'POST',
      path: '/token',
      params: {
        grant_type: 'authorization_code',
        code: issued.code,
        redirect_uri: SHOP.redirectUri,
        code_verifier: issued.verifier,
        resource: WIKI_API,
      },
      headers: { Authorization: SHOP.auth },
    };
  },
  'token: refresh_token': async () => {
    const { tokens } = await signInToShop(idp, 'mallory');
    return {
      method: 'POST',
      path: '/token',
      params: {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token!,
        scope: 'openid',
      },
      headers: { Authorization: SHOP.auth },
    };
  },
  'token: client_credentials': () => ({
    method: 'POST',
    path: '/token',
    params: { grant_type: 'client_credentials', scope: 'wiki:read', resource: WIKI_API },
    headers: { Authorization: basicAuth('reports', 'reports-demo-secret') },
  }),
  userinfo: () => ({
    method: 'POST',
    path: '/userinfo',
    params: {},
    headers: { Authorization: `Bearer ${material.accessToken}` },
  }),
  introspect: () => ({
    method: 'POST',
    path: '/introspect',
    params: { token: material.accessToken, token_type_hint: 'access_token' },
    headers: { Authorization: SHOP.auth },
  }),
  revoke: () => ({
    method: 'POST',
    path: '/revoke',
    params: {
      token: `${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
    },
    headers: { Authorization: SHOP.auth },
  }),
  logout: () => ({
    method: 'GET',
    path: '/logout',
    params: {
      id_token_hint: material.idToken,
      client_id: SHOP.id,
      post_logout_redirect_uri: SHOP.postLogoutRedirectUri,
      state: 'st',
    },
    headers: {},
  }),
  'logout (confirm)': () => ({
    method: 'POST',
    path: '/logout',
    params: { confirm: 'yes', csrf: 'x', client_id: SHOP.id },
    headers: { Cookie: `latchkey_session=${randomBytes(32).toString('base64url')}` },
  }),
};

type Mutation =
  | { kind: 'drop' | 'duplicate'; index: number }
  | { kind: 'replace'; index: number; value: string }
  | { kind: 'add'; name: string; value: string }
  | {
      kind: 'header';
      name: 'Authorization' | 'Cookie' | 'Content-Type';
      value: string | undefined;
    };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const), index: fc.nat() }),
  fc.nat().chain((index) =>
    fc.record({
      kind: fc.constant('replace' as const),
      index: fc.constant(index),
      value: fc.oneof(fc.string({ unit: 'binary', maxLength: 64 }), tokenArb, hugeArb),
    }),
  ),
  fc
    .constantFrom(...PARAM_NAMES)
    .chain((name) => valueArb(name).map((value): Mutation => ({ kind: 'add', name, value }))),
  fc.oneof(
    authorizationArb.map((value): Mutation => ({
      kind: 'header',
      name: 'Authorization',
      value: Array.isArray(value) ? value.join(', ') : value,
    })),
    cookieArb.map((value): Mutation => ({ kind: 'header', name: 'Cookie', value })),
    contentTypeArb.map((value): Mutation => ({ kind: 'header', name: 'Content-Type', value })),
  ),
);

async function mutated(template: string, mutations: Mutation[]): Promise<RawRequest> {
  const base = await TEMPLATES[template]!();
  const params = Object.entries(base.params);
  const headers: Record<string, string> = {
    ...base.headers,
    ...(base.method === 'POST' && { 'Content-Type': 'application/x-www-form-urlencoded' }),
  };
  for (const mutation of mutations) {
    const index =
      params.length === 0 ? 0 : 'index' in mutation ? mutation.index % params.length : 0;
    if (mutation.kind === 'drop') params.splice(index, 1);
    else if (mutation.kind === 'duplicate' && params[index]) params.push(params[index]);
    else if (mutation.kind === 'replace' && params[index])
      params[index] = [params[index][0], mutation.value];
    else if (mutation.kind === 'add') params.push([mutation.name, mutation.value]);
    else if (mutation.kind === 'header') {
      if (mutation.value === undefined) delete headers[mutation.name];
      else headers[mutation.name] = headerSafe(mutation.value);
    }
  }
  const encoded = encodeParams(params, false);
  return base.method === 'GET'
    ? { method: 'GET', path: `${base.path}?${encoded}`, headers }
    : { method: base.method, path: base.path, headers, body: Buffer.from(encoded) };
}

/** Random requests at the IdP at `base` for a bounded run, each answer checked; how many went. */
async function fuzzRandom(base: string, numRuns: number, timeLimitMs: number): Promise<number> {
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(requestArb, async (shape) => {
      const request = toRequest(shape);
      checkAnswer(request, await send(request, base));
      sent += 1;
    }),
    runOptions(numRuns, timeLimitMs),
  );
  return sent;
}

/** Nearly valid requests (a template, one to three mutations), like fuzzRandom. */
async function fuzzNearlyValid(
  base: string,
  numRuns: number,
  timeLimitMs: number,
): Promise<number> {
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...Object.keys(TEMPLATES)),
      fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
      async (template, mutations) => {
        const request = await mutated(template, mutations);
        checkAnswer(request, await send(request, base));
        sent += 1;
      },
    ),
    runOptions(numRuns, timeLimitMs),
  );
  return sent;
}

// ---------------------------------------------------------------------------------------

describe('promise 8: hostile input at every IdP endpoint gets a well-formed answer', () => {
  it('random requests (methods, paths, parameters, bodies, headers, cookies, tokens) never get a 5xx, a malformed body or a hang', async () => {
    expect(await fuzzRandom(idp.url, 1_500, 9_000)).toBeGreaterThan(100);
    expect(unhandled).toEqual([]);
  });

  it('nearly valid requests (each endpoint and grant, one to three mutations) never get a 5xx', async () => {
    expect(await fuzzNearlyValid(idp.url, 1_000, 7_000)).toBeGreaterThan(100);
    expect(unhandled).toEqual([]);
  });
});

describe('promise 8: tokens signed by the IdP with hostile claims', () => {
  it('at /userinfo, /introspect, /revoke and /logout: never a 5xx', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(signedRecipeArb, async (recipe) => {
        const token = await signRecipe(recipe);
        const requests: RawRequest[] = [
          { method: 'GET', path: '/userinfo', headers: { Authorization: `Bearer ${token}` } },
          ...['/introspect', '/revoke'].map((path) => ({
            method: 'POST',
            path,
            headers: {
              Authorization: SHOP.auth,
              'Content-Type': 'application/x-www-form-urlencoded',
            },
            body: Buffer.from(new URLSearchParams({ token }).toString()),
          })),
          {
            method: 'GET',
            path: `/logout?${new URLSearchParams({ id_token_hint: token, post_logout_redirect_uri: SHOP.postLogoutRedirectUri }).toString()}`,
            headers: { Cookie: material.sessionCookie },
          },
        ];
        for (const request of requests) checkAnswer(request, await send(request));
        sent += requests.length;
      }),
      runOptions(400, 4_000),
    );
    expect(sent).toBeGreaterThan(100);
    expect(unhandled).toEqual([]);
  });
});

describe('promise 8: hostile tokens at the SDK get typed errors only', () => {
  const allowed = (error: unknown) =>
    error instanceof TokenInvalidError || error instanceof TypeError;

  it('verifyAccessToken and verifyIdToken throw only TokenInvalidError subclasses or TypeError', async () => {
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: WIKI_API,
      clientId: SHOP.id,
      jwksUri: `${idp.url}/jwks`,
    });
    // Warm: the real tokens verify, so the key set is loaded.
    await expect(verifier.verifyAccessToken(material.accessToken)).resolves.toBeDefined();
    const inputArb = fc.oneof(
      { arbitrary: tokenArb, weight: 4 },
      { arbitrary: signedRecipeArb, weight: 3 },
      { arbitrary: fc.anything(), weight: 1 },
    );
    const idOptionsArb = fc.option(
      fc.record(
        {
          nonce: fc.oneof(fc.string(), fc.anything()),
          maxAgeSec: fc.oneof(fc.integer(), fc.double(), fc.anything()),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    );
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(inputArb, idOptionsArb, async (generated, idOptions) => {
        const isRecipe = (value: unknown): value is SignedRecipe =>
          typeof value === 'object' && value !== null && (value as SignedRecipe).signed === true;
        const input = isRecipe(generated) ? await signRecipe(generated) : generated;
        for (const attempt of [
          () => verifier.verifyAccessToken(input as string),
          () => verifier.verifyIdToken(input as string, idOptions as never),
        ]) {
          try {
            await attempt();
          } catch (error) {
            if (!allowed(error)) throw error;
          }
        }
        checked += 1;
      }),
      runOptions(2_000, 4_000),
    );
    expect(checked).toBeGreaterThan(100);
    expect(unhandled).toEqual([]);
  });

  it('requireBearer answers 400/401/403 JSON with a challenge, or 200 for a valid token, never 5xx', async () => {
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: WIKI_API,
      jwksUri: `${idp.url}/jwks`,
    });
    const app = new Koa();
    app.silent = true;
    app.use(requireBearer(verifier, { scope: 'openid' }));
    app.use((ctx) => {
      ctx.body = { ok: true };
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let checked = 0;
    try {
      await fc.assert(
        fc.asyncProperty(authorizationArb, async (authorization) => {
          const response = await send(
            {
              method: 'GET',
              path: '/api',
              headers:
                authorization === undefined
                  ? {}
                  : { Authorization: [authorization].flat().map(headerSafe) },
            },
            api,
          );
          if (response.status === 200) {
            expect(JSON.parse(response.body.toString())).toEqual({ ok: true });
          } else {
            expect([400, 401, 403]).toContain(response.status);
            const body = JSON.parse(response.body.toString()) as Record<string, unknown>;
            expect(body.error).toMatch(RFC6749_ERROR);
            expect(typeof body.error_description).toBe('string');
            expect(String(response.headers['www-authenticate'])).toMatch(/^Bearer realm="api"/);
          }
          checked += 1;
        }),
        runOptions(600, 3_000),
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(checked).toBeGreaterThan(50);
    expect(unhandled).toEqual([]);
  });
});

describe('promise 8: a short run against the built IdP on a real Redis', () => {
  it('random and nearly valid requests at dist/main.js on redis-server: no 5xx, no hang, no crash', async () => {
    const redis = await startTestRedis();
    const clients = await withTestClients();
    let process_: Awaited<ReturnType<typeof startIdp>> | undefined;
    try {
      process_ = await startIdp({ REDIS_URL: redis.url, CLIENTS_FILE: clients.file });
      const url = process_.url;
      // The tokens, sid and codes come from the in-process IdP: here they are foreign,
      // well-formed credentials signed by keys this IdP never had.
      const sent = (await fuzzRandom(url, 400, 4_000)) + (await fuzzNearlyValid(url, 300, 3_000));
      expect(sent).toBeGreaterThan(50);
      // Still the same process, answering, and it stops cleanly: nothing crashed it.
      expect((await send({ method: 'GET', path: '/readyz', headers: {} }, url)).status).toBe(200);
      expect(await process_.kill('SIGTERM')).toBe(0);
      expect(process_.output()).not.toContain('request.failed');
    } finally {
      await process_?.kill();
      await clients.remove();
      await redis.kill();
    }
  });
});
