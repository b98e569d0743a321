import { sign as nodeSign } from 'node:crypto';
import fc from 'fast-check';
import { createLocalJWKSet, jwtVerify, type JWTVerifyResult } from 'jose';
import { ACCESS_TOKEN_TYP, MAX_TOKEN_LENGTH } from '@latchkey/protocol';
import { isLowS, withNegatedS } from '@latchkey/protocol/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenInvalidError } from './errors.js';
import { AUDIENCE, CLIENT_ID, createFixture, type Fixture } from './test-support/fixture.js';
import type { TestKey } from './test-support/keys.js';
import type { Verifier } from './verifier.js';

/**
 * Differential test: the SDK accepts an access token (and an ID token) exactly when jose's
 * `jwtVerify`, given
 * the same strict options, accepts it, except for the documented ways the SDK is stricter
 * ("Stricter than jose" in the README), each restated below in `stricterThanJose` from the
 * specs, not from the SDK's code. Tokens are valid ones mutated at random: header and payload
 * members and their JSON types, duplicate keys, BOM, invalid UTF-8, base64url padding,
 * alphabet and whitespace, signature bytes, high-s twins, `alg`/`typ`/`kid`/`crit`/`b64`,
 * nested JWTs, unicode, sizes around the limit.
 *
 * Deterministic by default (the seed is printed); `LATCHKEY_DIFF_SEED` and
 * `LATCHKEY_DIFF_RUNS` replay or widen a run.
 */

const SEED = Number(process.env.LATCHKEY_DIFF_SEED ?? 20_261_203);
const RUNS = Number(process.env.LATCHKEY_DIFF_RUNS ?? 10_000);
const TOLERANCE_SEC = 5;
/**
 * jose checks that `iat` is not in the future only with maxTokenAge; the SDK always does, and
 * has no maximum age (`exp` bounds a token). The largest finite age turns on the one without
 * the other (100 years did not: a signed `iat: -1e300` then split the two).
 */
const NO_MAX_AGE_SEC = Number.MAX_VALUE;
const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

let f: Fixture;
let jwks: ReturnType<typeof createLocalJWKSet>;
let verifier: Verifier;
beforeAll(async () => {
  f = await createFixture();
  // One verifier for every case, as a service has: its header and token caches take part.
  verifier = f.verifier({ clockToleranceSec: TOLERANCE_SEC });
  jwks = createLocalJWKSet({
    keys: [f.keys.es256.publicJwk, f.keys.rs256.publicJwk, f.keys.eddsa.publicJwk],
  });
});
afterAll(() => f.idp.close());

// ---------------------------------------------------------------------------------------------
// What the SDK refuses on purpose although jose accepts. Each returns a reason or null.

const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64', 'zip', 'enc'];
const STRICT_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const nonEmptyString = (value: unknown) => typeof value === 'string' && value !== '';
const optional = (value: unknown, test: (v: unknown) => boolean) =>
  value === undefined || test(value);

type Kind = 'access' | 'id';

function stricterThanJose(
  kind: Kind,
  token: string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string | null {
  if (token.length > MAX_TOKEN_LENGTH) return 'size over MAX_TOKEN_LENGTH';
  // RFC 7515 §2 base64url is unpadded, with no whitespace; jose's decoder forgives both.
  if (!STRICT_COMPACT.test(token)) return 'padding or whitespace in a segment';
  const present = FORBIDDEN_HEADERS.find((name) => name in header);
  if (present) return `header ${present}`;
  if (!nonEmptyString(header.kid)) return 'kid missing';
  const signature = token.slice(token.lastIndexOf('.') + 1);
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.toString('base64url') !== signature) return 'non-canonical signature encoding';
  if (header.alg === 'ES256' && !isLowS(bytes)) return 'high-s ECDSA signature';
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (kind === 'id') {
    // RFC 8725 §3.11 / OIDC Core §2: an ID token is untyped or `JWT` (jose is given no `typ`,
    // since its option cannot say "absent or JWT").
    const typ = header.typ;
    if (typ !== undefined && !(typeof typ === 'string' && /^(application\/)?jwt$/i.test(typ))) {
      return 'ID token typ';
    }
    // OIDC Core §3.1.3.7 steps 4-5: several audiences need azp, and azp must be the client.
    if (audiences.length > 1 && claims.azp === undefined) return 'ID token azp missing';
    if (claims.azp !== undefined && claims.azp !== CLIENT_ID) return 'ID token azp not the client';
    const idTypesHold =
      nonEmptyString(claims.iss) &&
      nonEmptyString(claims.sub) &&
      (nonEmptyString(aud) ||
        (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string'))) &&
      optional(claims.nonce, (v) => typeof v === 'string') &&
      optional(claims.azp, (v) => typeof v === 'string') &&
      optional(claims.sid, (v) => typeof v === 'string') &&
      optional(claims.auth_time, (v) => typeof v === 'number');
    return idTypesHold ? null : 'claim types';
  }
  // RFC 9068 §2.2 and Latchkey's claims, with their types (jose checks presence only).
  const claimTypesHold =
    nonEmptyString(claims.iss) &&
    nonEmptyString(claims.sub) &&
    nonEmptyString(claims.jti) &&
    nonEmptyString(claims.client_id) &&
    (nonEmptyString(aud) ||
      (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string'))) &&
    optional(claims.scope, (v) => typeof v === 'string') &&
    optional(claims.sid, (v) => typeof v === 'string') &&
    optional(claims.preferred_username, (v) => typeof v === 'string') &&
    optional(claims.auth_time, (v) => typeof v === 'number') &&
    optional(claims.roles, (v) => Array.isArray(v) && v.every((r) => typeof r === 'string'));
  if (!claimTypesHold) return 'claim types';
  return null;
}

// ---------------------------------------------------------------------------------------------
// The mutations.

type KeyName = 'es256' | 'rs256' | 'eddsa' | 'rogue';

interface Case {
  key: KeyName;
  header: [string, unknown][];
  claims: [string, unknown][];
  headerText: TextOp;
  payloadText: TextOp;
  headerEncoding: EncodingOp;
  payloadEncoding: EncodingOp;
  signature: SignatureOp;
  size: number;
  position: number;
}

type TextOp =
  | 'none'
  | 'duplicate-first'
  | 'duplicate-last'
  | 'bom'
  | 'whitespace'
  | 'invalid-utf8'
  | 'null'
  | 'array'
  | 'nested-jwt'
  | 'unicode-escape';
type EncodingOp = 'none' | 'pad' | 'space' | 'newline' | 'std-alphabet' | 'loose-tail';
type SignatureOp =
  | 'none'
  | 'flip-byte'
  | 'high-s'
  | 'truncate'
  | 'pad'
  | 'space'
  | 'loose-tail'
  | 'empty'
  | 'extra-segment'
  | 'std-alphabet';

const DELETE = Symbol('delete');

/** Claim combinations a member-by-member generator would rarely hit (OIDC azp rules). */
const CLAIM_PRESETS: [string, unknown][][] = [
  [['aud', [CLIENT_ID, 'other']]],
  [
    ['aud', [CLIENT_ID, 'other']],
    ['azp', CLIENT_ID],
  ],
  [
    ['aud', [AUDIENCE, 'other']],
    ['azp', 'other'],
  ],
  [['azp', CLIENT_ID]],
  [['nonce', 5]],
  [['aud', [AUDIENCE, CLIENT_ID]]],
];

/** Combinations a member-by-member generator would rarely hit. */
const HEADER_PRESETS: [string, unknown][][] = [
  [
    ['crit', ['b64']],
    ['b64', true],
  ],
  [
    ['crit', ['b64']],
    ['b64', false],
  ],
  [['kid', DELETE]],
  [['cty', 'JWT']],
  [['typ', 'JWT']],
  [['typ', DELETE]],
  [['alg', 'none']],
  [['kid', 'rs-1']],
  [['kid', 7]],
  [['jwk', { kty: 'EC' }]],
  [['x5t#S256', 'abc']],
];

function caseArbitrary(nowSec: number, issuer: string): fc.Arbitrary<Case> {
  // Values for both kinds of token: the audience of each, the client, azp and nonce strings.
  const unicode = fc.string({ unit: 'grapheme', maxLength: 6 });
  const jsonish = fc.oneof(
    fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, '', [], {}, [1], ['a']),
    unicode,
    fc.integer(),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const time = fc.oneof(
    fc.integer({ min: -400, max: 400 }).map((d) => nowSec + d),
    fc.double({ min: nowSec - 400, max: nowSec + 400, noNaN: true }),
    fc.constantFrom(nowSec - TOLERANCE_SEC, nowSec + TOLERANCE_SEC, nowSec),
    fc.constantFrom<unknown>(String(nowSec + 60), null, 1e300, -1e300, 0),
  );
  const headerValue = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<unknown>(...ALGORITHMS, 'none', 'HS256', 'Ed25519') },
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(
        'at+jwt',
        'application/at+jwt',
        'AT+JWT',
        'Application/At+Jwt',
        'JWT',
        'at+jwt ',
        'x/at+jwt',
      ),
    },
    { weight: 3, arbitrary: fc.constantFrom<unknown>('es-1', 'rs-1', 'ed-1', 'rogue', '') },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(['b64'], [], ['exp'], [''], true, false) },
    { weight: 2, arbitrary: jsonish },
    { weight: 1, arbitrary: fc.constant<unknown>(DELETE) },
  );
  const claimValue = fc.oneof(
    { weight: 3, arbitrary: time },
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(
        issuer,
        `${issuer}/`,
        AUDIENCE,
        [AUDIENCE],
        ['other', AUDIENCE],
        [AUDIENCE, 1],
        CLIENT_ID,
        [CLIENT_ID, 'other'],
        [CLIENT_ID],
        'other',
        'web-app',
        'read',
        ['admin'],
        [7],
        'user-1',
      ),
    },
    { weight: 2, arbitrary: jsonish },
    { weight: 2, arbitrary: fc.constant<unknown>(DELETE) },
  );
  const headerNames = fc.constantFrom(
    'alg',
    'typ',
    'kid',
    'crit',
    'b64',
    'jwk',
    'jku',
    'x5c',
    'x5u',
    'zip',
    'enc',
    'cty',
    'exp',
    'ünï',
  );
  const claimNames = fc.constantFrom(
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
    'roles',
    'auth_time',
    'preferred_username',
    'azp',
    'nonce',
    'émoji😀',
    '__proto__',
  );
  const weighted = <T>(none: number, ...rest: T[]) =>
    fc.oneof(
      { weight: none, arbitrary: fc.constant('none' as T) },
      { weight: rest.length, arbitrary: fc.constantFrom(...rest) },
    );
  return fc.record({
    key: fc.constantFrom<KeyName>('es256', 'es256', 'rs256', 'eddsa', 'rogue'),
    header: fc.oneof(
      { weight: 3, arbitrary: fc.constant<[string, unknown][]>([]) },
      { weight: 2, arbitrary: fc.constantFrom(...HEADER_PRESETS) },
      { weight: 3, arbitrary: fc.array(fc.tuple(headerNames, headerValue), { maxLength: 3 }) },
    ),
    claims: fc.oneof(
      { weight: 2, arbitrary: fc.constant<[string, unknown][]>([]) },
      { weight: 1, arbitrary: fc.constantFrom(...CLAIM_PRESETS) },
      { weight: 3, arbitrary: fc.array(fc.tuple(claimNames, claimValue), { maxLength: 3 }) },
    ),
    headerText: weighted<TextOp>(
      12,
      'duplicate-first',
      'duplicate-last',
      'bom',
      'whitespace',
      'invalid-utf8',
      'null',
      'array',
      'unicode-escape',
    ),
    payloadText: weighted<TextOp>(
      10,
      'duplicate-first',
      'duplicate-last',
      'bom',
      'whitespace',
      'invalid-utf8',
      'null',
      'array',
      'nested-jwt',
      'unicode-escape',
    ),
    headerEncoding: weighted<EncodingOp>(
      12,
      'pad',
      'space',
      'newline',
      'std-alphabet',
      'loose-tail',
    ),
    payloadEncoding: weighted<EncodingOp>(
      12,
      'pad',
      'space',
      'newline',
      'std-alphabet',
      'loose-tail',
    ),
    signature: weighted<SignatureOp>(
      10,
      'flip-byte',
      'high-s',
      'truncate',
      'pad',
      'space',
      'loose-tail',
      'empty',
      'extra-segment',
      'std-alphabet',
    ),
    size: fc.oneof(
      { weight: 20, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 5900, max: 6300 }) },
    ),
    position: fc.nat(10_000),
  });
}

const KEY_ALG: Record<KeyName, string> = {
  es256: 'ES256',
  rs256: 'RS256',
  eddsa: 'EdDSA',
  rogue: 'ES256',
};

function applyMembers(base: Record<string, unknown>, ops: [string, unknown][]) {
  const result: Record<string, unknown> = { ...base };
  for (const [name, value] of ops) {
    if (value === DELETE) delete result[name];
    else
      Object.defineProperty(result, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return result;
}

function applyText(json: string, op: TextOp, nested: string): Buffer {
  const members = json.length > 2;
  switch (op) {
    case 'none':
      return Buffer.from(json);
    case 'duplicate-first':
    case 'duplicate-last': {
      // The first member's name again with another value, before it (the original is the
      // last, so it wins) or after every member (the duplicate wins).
      const name = /^\{("(?:[^"\\]|\\.)*"):/.exec(json)?.[1];
      if (!members || name === undefined) return Buffer.from(json);
      return Buffer.from(
        op === 'duplicate-first'
          ? `{${name}:"dup",${json.slice(1)}`
          : `${json.slice(0, -1)},${name}:"dup"}`,
      );
    }
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]);
    case 'whitespace':
      return Buffer.from(` \n\t${json.replace(/,/g, ' ,\r\n')} `);
    case 'invalid-utf8':
      return Buffer.concat([
        Buffer.from('{"x":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`",${json.slice(1)}`),
      ]);
    case 'null':
      return Buffer.from('null');
    case 'array':
      return Buffer.from(`[${json}]`);
    case 'nested-jwt':
      return Buffer.from(JSON.stringify(nested));
    case 'unicode-escape':
      // The same object with every ASCII letter of the first key escaped (\u0061 for "a").
      return Buffer.from(
        json.replace(
          /^\{"([a-z_]+)"/,
          (_m, key: string) =>
            `{"${[...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`,
        ),
      );
  }
}

function applyEncoding(segment: string, op: EncodingOp, position: number): string {
  const at = segment.length > 0 ? position % segment.length : 0;
  switch (op) {
    case 'none':
      return segment;
    case 'pad':
      return segment + '='.repeat((4 - (segment.length % 4)) % 4 || 1);
    case 'space':
      return `${segment.slice(0, at)} ${segment.slice(at)}`;
    case 'newline':
      return `${segment.slice(0, at)}\n${segment.slice(at)}`;
    case 'std-alphabet':
      return segment.replace(/-/g, '+').replace(/_/g, '/');
    case 'loose-tail':
      return looseTail(segment);
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sets an unused bit of the last character (length ≢ 0 mod 4): same bytes, other spelling. */
function looseTail(segment: string): string {
  if (segment.length % 4 === 0 || segment.length === 0) return segment;
  const last = ALPHABET.indexOf(segment.at(-1)!);
  return segment.slice(0, -1) + ALPHABET[last ^ 1]!;
}

function signWith(key: TestKey, input: string): Buffer {
  if (key.alg === 'ES256') {
    const raw = nodeSign('sha256', Buffer.from(input), {
      key: key.privateKeyObject,
      dsaEncoding: 'ieee-p1363',
    });
    return isLowS(raw) ? raw : withNegatedS(raw);
  }
  return nodeSign(key.alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), key.privateKeyObject);
}

function applySignature(signature: Buffer, alg: string, op: SignatureOp, position: number): string {
  const text = signature.toString('base64url');
  switch (op) {
    case 'none':
      return text;
    case 'flip-byte': {
      const copy = Buffer.from(signature);
      copy[position % copy.length]! ^= 1 << (position % 8);
      return copy.toString('base64url');
    }
    case 'high-s':
      return alg === 'ES256' ? withNegatedS(signature).toString('base64url') : text;
    case 'truncate':
      return text.slice(0, -4);
    case 'pad':
      return text + '='.repeat((4 - (text.length % 4)) % 4 || 1);
    case 'space':
      return `${text.slice(0, position % text.length)} ${text.slice(position % text.length)}`;
    case 'loose-tail':
      return looseTail(text);
    case 'empty':
      return '';
    case 'extra-segment':
      return `${text}.${text}`;
    case 'std-alphabet':
      return text.replace(/-/g, '+').replace(/_/g, '/');
  }
}

function build(kind: Kind, c: Case): string {
  const key = f.keys[c.key];
  const header = applyMembers(
    {
      alg: KEY_ALG[c.key],
      kid: c.key === 'rogue' ? 'es-1' : key.kid,
      typ: kind === 'access' ? ACCESS_TOKEN_TYP : 'JWT',
    },
    c.header,
  );
  const padding = c.size > 0 ? { pad: 'x'.repeat(c.size) } : {};
  const claims = applyMembers(
    kind === 'access' ? f.accessClaims(padding) : f.idClaims(padding),
    c.claims,
  );
  const nested = `${Buffer.from('{"alg":"ES256","kid":"es-1"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
  const h = applyEncoding(
    applyText(JSON.stringify(header), c.headerText, nested).toString('base64url'),
    c.headerEncoding,
    c.position,
  );
  const p = applyEncoding(
    applyText(JSON.stringify(claims), c.payloadText, nested).toString('base64url'),
    c.payloadEncoding,
    c.position,
  );
  const input = `${h}.${p}`;
  return `${input}.${applySignature(signWith(key, input), String(header.alg), c.signature, c.position)}`;
}

// ---------------------------------------------------------------------------------------------

interface Verdicts {
  jose: JWTVerifyResult | null;
  sdk: { claims: unknown } | { error: unknown };
}

async function verdicts(kind: Kind, token: string): Promise<Verdicts> {
  const common = {
    algorithms: ALGORITHMS,
    issuer: f.idp.issuer,
    clockTolerance: TOLERANCE_SEC,
    maxTokenAge: NO_MAX_AGE_SEC,
    currentDate: new Date(f.clock.ms),
  };
  const jose = await jwtVerify(
    token,
    jwks,
    kind === 'access'
      ? {
          ...common,
          audience: AUDIENCE,
          typ: ACCESS_TOKEN_TYP,
          requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
        }
      : { ...common, audience: CLIENT_ID, requiredClaims: ['sub', 'exp', 'iat'] },
  ).catch(() => null);
  const verified: Promise<unknown> =
    kind === 'access' ? verifier.verifyAccessToken(token) : verifier.verifyIdToken(token);
  const sdk = await verified.then(
    (claims) => ({ claims }),
    (error: unknown) => ({ error }),
  );
  return { jose, sdk };
}

describe('differential: the SDK against jose jwtVerify', () => {
  it.each<Kind>(['access', 'id'])(
    `%s tokens: accepted exactly when jose accepts them, minus the documented stricter rules (${RUNS} cases, seed ${SEED})`,
    async (kind) => {
      // eslint-disable-next-line no-console -- CI's log must show the case count and the seed to replay
      console.log(`differential test (${kind} tokens): ${RUNS} cases, seed ${SEED}`);
      const tally = { bothAccept: 0, bothRefuse: 0, deliberate: new Map<string, number>() };
      // Every difference is collected (not only the first), so one run shows them all.
      const differences: { case: Case; jose: boolean; sdk: unknown }[] = [];
      await fc.assert(
        fc.asyncProperty(caseArbitrary(f.nowSec(), f.idp.issuer), async (c) => {
          const token = build(kind, c);
          const { jose, sdk } = await verdicts(kind, token);
          const reason = jose
            ? stricterThanJose(kind, token, jose.protectedHeader, jose.payload)
            : null;
          if (reason) tally.deliberate.set(reason, (tally.deliberate.get(reason) ?? 0) + 1);
          const expectAccept = jose !== null && reason === null;
          const sdkCode = 'error' in sdk ? (sdk.error as { code?: string }).code : undefined;
          let agrees: boolean;
          if ('error' in sdk) {
            // Whatever the token, a refusal is a TokenInvalidError: never a crash, never a 503.
            agrees = !expectAccept && sdk.error instanceof TokenInvalidError;
            if (agrees && jose === null) tally.bothRefuse += 1;
          } else {
            // Accepted by both: the same claims.
            agrees = expectAccept && JSON.stringify(sdk.claims) === JSON.stringify(jose?.payload);
            if (agrees) tally.bothAccept += 1;
          }
          if (!agrees) {
            differences.push({
              case: c,
              jose: jose !== null,
              sdk: sdkCode ?? ('error' in sdk ? String(sdk.error) : 'accepted'),
            });
          }
          return true;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      // eslint-disable-next-line no-console -- and how the cases split, so a weakened generator shows
      console.log(
        `differential test (${kind} tokens): both accepted ${tally.bothAccept}, both refused ${tally.bothRefuse}, ` +
          `jose accepted and the SDK refused on purpose ${JSON.stringify(Object.fromEntries(tally.deliberate))}`,
      );
      expect(differences.slice(0, 10)).toEqual([]);
      // The generator must reach every verdict, or the comparison proves little.
      expect(tally.bothAccept).toBeGreaterThan(RUNS / 20);
      expect(tally.bothRefuse).toBeGreaterThan(RUNS / 20);
      expect(tally.deliberate.size).toBeGreaterThanOrEqual(6);
    },
    120_000,
  );
});
