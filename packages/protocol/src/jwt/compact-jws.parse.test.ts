import { generateKeyPairSync, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_LENGTH } from '../limits.js';
import { createJwsParser, decodeJwsPayload, verifyJwsSignature } from './compact-jws.js';
import { signCompactJws } from './sign.js';
import { importVerificationKey } from './verification-key.js';

/**
 * The parser finds the dots with indexOf and checks segments by decoding them whole (a short
 * result means a character outside the alphabet), falling back to a pattern. These cases hold it to what the single pattern it replaced,
 * `^[\w-]+\.[\w-]+\.[\w-]*$`, accepted and refused, with the same error codes.
 */

const PATTERN = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = { alg: 'ES256' as const, kid: 'k1', privateKey };
const key = importVerificationKey({ ...publicKey.export({ format: 'jwk' }), kid: 'k1' })!;
const token = signCompactJws(signer, 'at+jwt', { sub: 'alice', roles: ['admin'], n: 1 });
const [header, payload, signature] = token.split('.') as [string, string, string];

function outcome(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** A parser that has seen `token`'s header verified, as a running verifier has. */
function warmParser() {
  const parser = createJwsParser(new Set(['ES256']));
  parser.remember(parser.parse(token));
  return parser;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('createJwsParser: form of the token', () => {
  it.each([
    ['a number', 42],
    ['undefined', undefined],
    ['an empty string', ''],
    ['one segment', header],
    ['two segments', `${header}.${payload}`],
    ['four segments', `${token}.${signature}`],
    ['an empty header', `.${payload}.${signature}`],
    ['an empty payload', `${header}..${signature}`],
    ['only dots', '..'],
    ['padding in the payload', `${header}.${payload}=.${signature}`],
    ['padding in the signature', `${token}==`],
    ['"+" in the payload', `${header}.${payload.slice(0, -1)}+.${signature}`],
    ['"/" in the signature', `${header}.${payload}.${signature.slice(0, -1)}/`],
    ['a space', `${header}.${payload} .${signature}`],
    ['a newline', `${header}.${payload}.${signature}\n`],
    ['"Ł", whose low byte is "A"', `${header}.${payload.slice(0, -1)}Ł.${signature}`],
    ['"é" in the header', `é${header}.${payload}.${signature}`],
    ['a NUL', `${header}.${payload}\u0000.${signature}`],
    ['a token over the length limit', `${header}.${'A'.repeat(MAX_TOKEN_LENGTH)}.${signature}`],
  ])('refuses %s as malformed, cold and warm', (_name, input) => {
    expect(outcome(() => createJwsParser(new Set(['ES256'])).parse(input))).toBe(
      'ERR_TOKEN_MALFORMED',
    );
    expect(outcome(() => warmParser().parse(input))).toBe('ERR_TOKEN_MALFORMED');
  });

  it('accepts an empty signature, so that alg none is reported as an algorithm error', () => {
    expect(outcome(() => warmParser().parse(`${header}.${payload}.`))).toBe('ok');
    const none = `${b64({ alg: 'none', kid: 'k1', typ: 'at+jwt' })}.${payload}.`;
    expect(outcome(() => warmParser().parse(none))).toBe('ERR_TOKEN_ALGORITHM');
  });

  it.each([
    ['alg none', { alg: 'none', kid: 'k1' }, 'ERR_TOKEN_ALGORITHM'],
    ['an alg not allowed', { alg: 'RS256', kid: 'k1' }, 'ERR_TOKEN_ALGORITHM'],
    ['HS256', { alg: 'HS256', kid: 'k1' }, 'ERR_TOKEN_ALGORITHM'],
    ['no kid', { alg: 'ES256' }, 'ERR_TOKEN_HEADER'],
    ['a jwk header', { alg: 'ES256', kid: 'k1', jwk: {} }, 'ERR_TOKEN_HEADER'],
    ['a JSON array', [1], 'ERR_TOKEN_MALFORMED'],
  ])('checks a header with %s as before', (_name, value, code) => {
    expect(outcome(() => warmParser().parse(`${b64(value)}.${payload}.${signature}`))).toBe(code);
  });

  it('refuses a header that is not JSON, or not base64url of any length', () => {
    const notJson = Buffer.from('{"alg":').toString('base64url');
    expect(outcome(() => warmParser().parse(`${notJson}.${payload}.${signature}`))).toBe(
      'ERR_TOKEN_MALFORMED',
    );
    expect(outcome(() => warmParser().parse(`abcde.${payload}.${signature}`))).toBe(
      'ERR_TOKEN_MALFORMED',
    );
  });

  it('leaves a payload that is not JSON to the payload decoder, as before', () => {
    const jws = warmParser().parse(`${header}.${Buffer.from('not json').toString('base64url')}.x`);
    expect(outcome(() => decodeJwsPayload(jws))).toBe('ERR_TOKEN_MALFORMED');
    // Length ≡ 1 (mod 4) passes the alphabet and is refused when decoded.
    const odd = warmParser().parse(`${header}.abcde.${signature}`);
    expect(outcome(() => decodeJwsPayload(odd))).toBe('ERR_TOKEN_MALFORMED');
  });

  it('leaves a signature in the alphabet but of a wrong length or tail to the signature check', () => {
    const parser = warmParser();
    const last = signature.at(-1)!;
    // 64 bytes: the last character carries 4 unused bits; "B" sets one of them.
    const loose = `${header}.${payload}.${signature.slice(0, -1)}${last === 'B' ? 'C' : 'B'}`;
    for (const input of [loose, `${token}A`, `${token.slice(0, -1)}`]) {
      const jws = parser.parse(input);
      expect(outcome(() => verifyJwsSignature(jws, key))).toBe('ERR_SIGNATURE_INVALID');
    }
    expect(outcome(() => verifyJwsSignature(parser.parse(token), key))).toBe('ok');
  });

  it('accepts and refuses exactly what the pattern did, on mutated tokens', () => {
    const alphabet = ['.', '=', '+', '/', ' ', '\n', 'Ł', 'é', '\u0000', '~', 'A', '-', '_', 'z'];
    let refused = 0;
    for (let i = 0; i < 3000; i += 1) {
      let input = token;
      for (let edits = 1 + (i % 3); edits > 0; edits -= 1) {
        const at = randomInt(input.length + 1);
        const kind = randomInt(3);
        const char = alphabet[randomInt(alphabet.length)]!;
        if (kind === 0) input = input.slice(0, at) + char + input.slice(at);
        else if (kind === 1) input = input.slice(0, at) + char + input.slice(at + 1);
        else input = input.slice(0, at) + input.slice(at + 1);
      }
      const want = PATTERN.test(input) ? 'form ok' : 'ERR_TOKEN_MALFORMED';
      if (want !== 'form ok') refused += 1;
      for (const parser of [warmParser(), createJwsParser(new Set(['ES256']))]) {
        const got = outcome(() => parser.parse(input));
        // Past the form, only the header (decoded when not remembered) can refuse.
        if (want === 'form ok' && got !== 'ok') {
          expect(input.slice(0, input.indexOf('.'))).not.toBe(header);
        } else {
          expect([input, got === 'ok' ? 'form ok' : got]).toEqual([input, want]);
        }
      }
    }
    expect(refused).toBeGreaterThan(500);
    expect(refused).toBeLessThan(2900);
  });

  it('keeps each token its own decoded segments when another is parsed in between', () => {
    // A verifier that awaits a key-set fetch between parse and verify may parse other tokens
    // meanwhile: each must still be checked against its own signature and payload.
    const parser = warmParser();
    const other = signCompactJws(signer, 'at+jwt', { sub: 'bob', roles: [], n: 2 });
    const first = parser.parse(token);
    const second = parser.parse(other);
    expect(outcome(() => verifyJwsSignature(first, key))).toBe('ok');
    expect(decodeJwsPayload(first)).toEqual({ sub: 'alice', roles: ['admin'], n: 1 });
    expect(outcome(() => verifyJwsSignature(second, key))).toBe('ok');
    expect(decodeJwsPayload(second)).toEqual({ sub: 'bob', roles: [], n: 2 });
    const swapped = parser.parse(`${header}.${payload}.${other.split('.')[2]!}`);
    parser.parse(token);
    expect(outcome(() => verifyJwsSignature(swapped, key))).toBe('ERR_SIGNATURE_INVALID');
  });

  it('refuses every character outside the alphabet, in the payload and in the signature', () => {
    // Each of the first 0x180 code points and a few wide ones whose low byte is in the alphabet,
    // put in place of one character: decoding must not read any of them as a letter.
    const wide = ['\uff41', '\u0141', '\u2d2d', '\ud800', '\u{1f511}'];
    const codes = Array.from({ length: 0x180 }, (_, code) => String.fromCharCode(code));
    const parser = warmParser();
    for (const char of [...codes, ...wide]) {
      for (const input of [
        `${header}.${payload.slice(0, 8)}${char}${payload.slice(9)}.${signature}`,
        `${header}.${payload}.${signature.slice(0, 8)}${char}${signature.slice(9)}`,
      ]) {
        const want = PATTERN.test(input) ? 'ok' : 'ERR_TOKEN_MALFORMED';
        expect([char.codePointAt(0), outcome(() => parser.parse(input))]).toEqual([
          char.codePointAt(0),
          want,
        ]);
      }
    }
  });
});
