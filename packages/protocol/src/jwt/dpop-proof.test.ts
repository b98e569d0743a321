import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkDpopBinding,
  checkDpopProof,
  dpopAccessTokenHash,
  jwkThumbprint,
} from './dpop-proof.js';

const NOW = 1_800_000_000_000;
const URL_ = 'https://idp.example/token';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function prove(
  options: {
    header?: Record<string, unknown>;
    claims?: Record<string, unknown>;
    key?: { privateKey: KeyObject; publicKey: KeyObject };
    alg?: string;
  } = {},
): string {
  const pair = options.key ?? ec;
  const alg = options.alg ?? (pair === ed ? 'EdDSA' : pair === rsa ? 'RS256' : 'ES256');
  const header = {
    typ: 'dpop+jwt',
    alg,
    jwk: pair.publicKey.export({ format: 'jwk' }),
    ...options.header,
  };
  const claims = { jti: randomUUID(), htm: 'POST', htu: URL_, iat: NOW / 1000, ...options.claims };
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign(alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), {
    key: pair.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

const check = (proof: string, extra: Partial<Parameters<typeof checkDpopProof>[0]> = {}) =>
  checkDpopProof({ proof, method: 'POST', url: URL_, now: NOW, ...extra });

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'accepted';
};

describe('checkDpopProof', () => {
  it.each([ec, ed, rsa])('RFC 9449 §4.3: accepts a good proof (%#) and returns its jkt', (key) => {
    const checked = check(prove({ key }));
    expect(checked.jkt).toBe(jwkThumbprint(key.publicKey.export({ format: 'jwk' })));
  });

  it('RFC 7638 §3.1: the thumbprint of the RFC example key', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' })).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });

  it('RFC 9449 §4.3: refuses a proof whose htm differs', () => {
    expect(code(() => check(prove({ claims: { htm: 'GET' } })))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('RFC 9449 §4.3: refuses a proof whose htu differs, ignoring query and fragment', () => {
    expect(code(() => check(prove({ claims: { htu: 'https://idp.example/other' } })))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(code(() => check(prove({ claims: { htu: 'https://IDP.example:443/token?x#y' } })))).toBe(
      'accepted',
    );
  });

  it('RFC 9449 §11.1: refuses an iat outside the window, either way', () => {
    expect(code(() => check(prove({ claims: { iat: NOW / 1000 - 61 } })))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(code(() => check(prove({ claims: { iat: NOW / 1000 + 61 } })))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(code(() => check(prove({ claims: { iat: NOW / 1000 - 59 } })))).toBe('accepted');
  });

  it('RFC 9449 §4.3 check 6: refuses a private key in the header', () => {
    const jwk = ec.privateKey.export({ format: 'jwk' });
    expect(code(() => check(prove({ header: { jwk } })))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('RFC 9449 §4.3 check 5: refuses alg none and symmetric algs', () => {
    const proof = prove();
    const [, payload] = proof.split('.');
    const none = `${b64({ typ: 'dpop+jwt', alg: 'none', jwk: ec.publicKey.export({ format: 'jwk' }) })}.${payload}.`;
    expect(code(() => check(none))).toBe('ERR_DPOP_PROOF_INVALID');
    const hs = prove({ header: { alg: 'HS256', jwk: { kty: 'oct', k: 'c2VjcmV0' } } });
    expect(code(() => check(hs))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('RFC 9449 §4.3 check 4: refuses a typ other than dpop+jwt', () => {
    expect(code(() => check(prove({ header: { typ: 'JWT' } })))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('RFC 9449 §4.3: refuses a proof signed by another key than its jwk', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const proof = prove({ header: { jwk: other.publicKey.export({ format: 'jwk' }) } });
    expect(code(() => check(proof))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('RFC 9449 §4.3 check 1: refuses two proofs, none, and garbage', () => {
    expect(code(() => check(undefined as never))).toBe('ERR_DPOP_PROOF_INVALID');
    expect(
      code(() =>
        checkDpopProof({ proof: [prove(), prove()], method: 'POST', url: URL_, now: NOW }),
      ),
    ).toBe('ERR_DPOP_PROOF_INVALID');
    expect(code(() => check('a.b.c'))).toBe('ERR_DPOP_PROOF_INVALID');
  });

  it('RFC 9449 §4.3 check 11: refuses an ath that is not the hash of the token', () => {
    const ath = dpopAccessTokenHash('the-token');
    expect(code(() => check(prove({ claims: { ath } }), { accessToken: 'the-token' }))).toBe(
      'accepted',
    );
    expect(code(() => check(prove({ claims: { ath } }), { accessToken: 'another' }))).toBe(
      'ERR_DPOP_PROOF_INVALID',
    );
    expect(code(() => check(prove(), { accessToken: 'the-token' }))).toBe('ERR_DPOP_PROOF_INVALID');
  });
});

describe('hostile proofs', () => {
  const ecJwk = ec.publicKey.export({ format: 'jwk' });
  const signatureOf = (proof: string) => proof.slice(proof.lastIndexOf('.') + 1);
  const forged = (
    header: unknown,
    claims: unknown = { jti: 'a', htm: 'POST', htu: URL_, iat: NOW / 1000 },
  ) => `${b64(header)}.${b64(claims)}.${signatureOf(prove())}`;
  it.each([
    ['a header that is an array', forged([1])],
    ['a header that is JSON null', forged(null)],
    ['a jwk that is a string', forged({ typ: 'dpop+jwt', alg: 'ES256', jwk: 'x' })],
    [
      'a jwk with numbers for coordinates',
      forged({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...ecJwk, x: 1 } }),
    ],
    [
      'a jwk on another curve',
      forged({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...ecJwk, crv: 'P-384' } }),
    ],
    [
      'an RSA jwk under ES256',
      forged({ typ: 'dpop+jwt', alg: 'ES256', jwk: rsa.publicKey.export({ format: 'jwk' }) }),
    ],
    [
      'a weak RSA key',
      prove({ key: generateKeyPairSync('rsa', { modulusLength: 1024 }), alg: 'RS256' }),
    ],
    ['claims that are an array', forged({ typ: 'dpop+jwt', alg: 'ES256', jwk: ecJwk }, [])],
    ['an iat that is a string', prove({ claims: { iat: String(NOW / 1000) } })],
    ['a nonce that is a number', prove({ claims: { nonce: 5 } })],
    ['an htu that is not a URL', prove({ claims: { htu: 'not a url' } })],
    ['a jti that is too long', prove({ claims: { jti: 'j'.repeat(300) } })],
    ['a proof over 4 KiB', prove({ claims: { pad: 'x'.repeat(5000) } })],
    [
      'invalid UTF-8',
      `${Buffer.from([0xff, 0xfe]).toString('base64url')}.e30.${signatureOf(prove())}`,
    ],
  ])('RFC 9449 §4.3: refuses %s with a DpopProofError, nothing else', (_name, proof) => {
    expect(code(() => check(proof))).toBe('ERR_DPOP_PROOF_INVALID');
  });
});

describe('checkDpopBinding', () => {
  it('RFC 9449 §7.2: refuses a bound token sent as Bearer, or with another key', () => {
    expect(code(() => checkDpopBinding({ cnf: { jkt: 'a' } }, undefined))).toBe('ERR_DPOP_BINDING');
    expect(code(() => checkDpopBinding({ cnf: { jkt: 'a' } }, 'b'))).toBe('ERR_DPOP_BINDING');
    expect(code(() => checkDpopBinding({ cnf: { jkt: 'a' } }, 'a'))).toBe('accepted');
  });

  it('RFC 9449 §7.1: refuses an unbound token sent with the DPoP scheme', () => {
    expect(code(() => checkDpopBinding({}, 'a'))).toBe('ERR_DPOP_BINDING');
    expect(code(() => checkDpopBinding({}, undefined))).toBe('accepted');
  });
});
