import { createHmac, createPublicKey } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenInvalidError } from './errors.js';
import { MAX_TOKEN_LENGTH } from '@latchkey/protocol';
import { createFixture, type Fixture } from './test-support/fixture.js';
import { b64, highS, sign, signRaw } from './test-support/keys.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
afterAll(() => f.idp.close());
beforeEach(() => f.reset());

async function rejection(token: unknown, verifier = f.verifier()): Promise<unknown> {
  return verifier.verifyAccessToken(token as string).then(
    () => expect.fail('token was accepted'),
    (error: unknown) => error,
  );
}

async function expectCode(token: unknown, code: string, verifier = f.verifier()): Promise<void> {
  const error = await rejection(token, verifier);
  expect(error).toBeInstanceOf(TokenInvalidError);
  expect(error).toMatchObject({ code });
}

describe('malformed tokens', () => {
  it.each([
    ['garbage', 'not a token at all'],
    ['empty string', ''],
    ['two parts', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0'],
    ['four parts', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln.c2ln'],
    ['five parts (JWE)', 'a.b.c.d.e'],
    ['padding', 'eyJhbGciOiJFUzI1NiJ9=.eyJzdWIiOiJ4In0.c2ln'],
    ['standard base64 alphabet', 'eyJhbGciOiJFUzI1NiJ9.eyJz+WIiOiJ4In0.c2ln'],
    ['header not JSON', `${b64('nope')}.${b64({})}.c2ln`],
    ['header a JSON array', `${b64([1])}.${b64({})}.c2ln`],
  ])('rejects %s', async (_name, token) => {
    await expectCode(token, 'ERR_TOKEN_MALFORMED');
  });

  it('rejects a segment whose length is 1 mod 4 (a decoder would drop the extra char)', async () => {
    const header = b64({ alg: 'ES256', kid: 'es-1xx', typ: 'JWT' });
    expect(header.length % 4).toBe(0);
    await expectCode(`${header}A.${b64(f.accessClaims())}.c2ln`, 'ERR_TOKEN_MALFORMED');
  });

  it.each([undefined, null, 42, {}, ['a.b.c']])('rejects the non-string %j', async (token) => {
    await expectCode(token, 'ERR_TOKEN_MALFORMED');
  });

  it('rejects a token over 8 KiB before looking at it', async () => {
    const token = await sign(f.keys.es256, f.accessClaims({ pad: 'x'.repeat(MAX_TOKEN_LENGTH) }));
    await expectCode(token, 'ERR_TOKEN_MALFORMED');
    expect(f.idp.jwksRequests).toBe(0);
  });

  it('rejects a truncated token (signature characters dropped)', async () => {
    const token = await sign(f.keys.es256, f.accessClaims());
    await expectCode(token.slice(0, -1), 'ERR_SIGNATURE_INVALID');
    await expectCode(token.slice(0, -5), 'ERR_SIGNATURE_INVALID');
  });

  it('rejects a validly signed payload that is not JSON', async () => {
    const token = signRaw(f.keys.es256, { alg: 'ES256', kid: 'es-1', typ: 'at+jwt' }, 'nope');
    await expectCode(token, 'ERR_TOKEN_MALFORMED');
  });

  it('never puts the token in the error message', async () => {
    const token = await sign(f.keys.es256, f.accessClaims({ exp: 1 }));
    const error = (await rejection(token)) as Error;
    expect(error.message.includes(token)).toBe(false);
    expect(error.message.includes(token.split('.')[1]!)).toBe(false);
  });
});

describe('algorithm attacks', () => {
  it('rejects alg none with an empty signature', async () => {
    const token = `${b64({ alg: 'none', kid: 'es-1', typ: 'at+jwt' })}.${b64(f.accessClaims())}.`;
    await expectCode(token, 'ERR_TOKEN_ALGORITHM');
  });

  it.each(['None', 'NONE', 'ES256 ', 'es256'])('rejects alg %j', async (alg) => {
    const token = signRaw(f.keys.es256, { alg, kid: 'es-1', typ: 'at+jwt' }, f.accessClaims());
    await expectCode(token, 'ERR_TOKEN_ALGORITHM');
  });

  function hs256(secret: string | Buffer, kid: string): string {
    const input = `${b64({ alg: 'HS256', kid, typ: 'at+jwt' })}.${b64(f.accessClaims())}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  }

  it.each(['es256', 'rs256'] as const)(
    'rejects HS256 keyed with the %s public key PEM or JWK JSON',
    async (name) => {
      const key = f.keys[name];
      const pem = createPublicKey({ key: key.publicJwk as never, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      await expectCode(hs256(pem, key.kid), 'ERR_TOKEN_ALGORITHM');
      await expectCode(hs256(JSON.stringify(key.publicJwk), key.kid), 'ERR_TOKEN_ALGORITHM');
    },
  );

  it('rejects an RS256 header naming the EC key (alg/kty mismatch)', async () => {
    const token = signRaw(
      f.keys.rs256,
      { alg: 'RS256', kid: 'es-1', typ: 'at+jwt' },
      f.accessClaims(),
    );
    await expectCode(token, 'ERR_TOKEN_ALGORITHM');
  });

  it('rejects an ES256 header naming the Ed25519 key', async () => {
    const token = signRaw(
      f.keys.es256,
      { alg: 'ES256', kid: 'ed-1', typ: 'at+jwt' },
      f.accessClaims(),
    );
    await expectCode(token, 'ERR_TOKEN_ALGORITHM');
  });

  it('rejects an RS256 token when only ES256 is allowed', async () => {
    const token = await sign(f.keys.rs256, f.accessClaims());
    await expectCode(token, 'ERR_TOKEN_ALGORITHM', f.verifier({ algorithms: ['ES256'] }));
  });

  it('rejects an ES256 signature in DER encoding', async () => {
    const header = { alg: 'ES256', kid: 'es-1', typ: 'at+jwt' };
    const claims = f.accessClaims();
    await expect(
      f.verifier().verifyAccessToken(signRaw(f.keys.es256, header, claims)),
    ).resolves.toEqual(claims);
    await expectCode(signRaw(f.keys.es256, header, claims, 'der'), 'ERR_SIGNATURE_INVALID');
  });

  it('rejects a signature made by another key under a known kid', async () => {
    const token = await sign(f.keys.rogue, f.accessClaims(), { kid: 'es-1' });
    await expectCode(token, 'ERR_SIGNATURE_INVALID');
  });

  it('still checks every signature once a header has been seen in a valid token', async () => {
    const verifier = f.verifier();
    const claims = f.accessClaims();
    await expect(verifier.verifyAccessToken(await sign(f.keys.es256, claims))).resolves.toEqual(
      claims,
    );
    const forged = await sign(f.keys.rogue, f.accessClaims(), { kid: 'es-1' });
    expect(forged.split('.')[0]).toBe((await sign(f.keys.es256, f.accessClaims())).split('.')[0]);
    await expectCode(forged, 'ERR_SIGNATURE_INVALID', verifier);
    const otherAlg = f.verifier({ algorithms: ['RS256'] });
    await expectCode(await sign(f.keys.es256, f.accessClaims()), 'ERR_TOKEN_ALGORITHM', otherAlg);
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await sign(f.keys.es256, f.accessClaims())).split('.');
    await expectCode(
      `${header}.${b64(f.accessClaims({ sub: 'admin' }))}.${signature}`,
      'ERR_SIGNATURE_INVALID',
    );
  });

  it('rejects the high-s twin (r, n − s) of a valid ES256 signature, which jose accepts', async () => {
    const claims = f.accessClaims();
    const token = await sign(f.keys.es256, claims);
    const twin = highS(token);
    expect(twin).not.toBe(token);
    // The crafted twin is a genuine signature: the generic verifiers accept it.
    const jwks = createLocalJWKSet({ keys: [f.keys.es256.publicJwk] });
    await expect(
      jwtVerify(twin, jwks, { currentDate: new Date(f.clock.ms) }),
    ).resolves.toMatchObject({ payload: claims });
    await expect(f.verifier().verifyAccessToken(token)).resolves.toEqual(claims);
    await expectCode(twin, 'ERR_SIGNATURE_INVALID');
  });

  it('rejects a non-canonical base64url signature', async () => {
    const token = await sign(f.keys.eddsa, f.accessClaims());
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last of 86 characters carries 2 unused bits; flipping one keeps the decoded bytes.
    const last = alphabet[alphabet.indexOf(token.at(-1)!) ^ 1]!;
    await expectCode(`${token.slice(0, -1)}${last}`, 'ERR_SIGNATURE_INVALID');
  });
});

describe('header attacks', () => {
  it('rejects an embedded jwk, even with a signature valid under it', async () => {
    const token = await sign(f.keys.rogue, f.accessClaims(), {
      kid: 'es-1',
      header: { jwk: f.keys.rogue.publicJwk },
    });
    await expectCode(token, 'ERR_TOKEN_HEADER');
  });

  it.each([
    ['jku', { jku: 'http://127.0.0.1:1/jwks' }],
    ['x5u', { x5u: 'http://127.0.0.1:1/cert.pem' }],
    ['x5c', { x5c: ['MIIB'] }],
    ['crit', { crit: ['exp'], exp: 1 }],
    ['b64', { b64: false }],
  ])('rejects a %s header', async (_name, extra) => {
    const header = { alg: 'ES256', kid: 'es-1', typ: 'at+jwt', ...extra };
    await expectCode(signRaw(f.keys.es256, header, f.accessClaims()), 'ERR_TOKEN_HEADER');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a number', 1],
  ])('rejects a kid that is %s', async (_name, kid) => {
    const header = { alg: 'ES256', kid, typ: 'at+jwt' };
    await expectCode(signRaw(f.keys.es256, header, f.accessClaims()), 'ERR_TOKEN_HEADER');
  });

  it('does not trip over a kid such as __proto__', async () => {
    const token = await sign(f.keys.es256, f.accessClaims(), { kid: '__proto__' });
    await expectCode(token, 'ERR_KEY_NOT_FOUND');
  });
});
