import { describe, expect, it } from 'vitest';
import { createVerifier } from './verifier.js';
import type { VerifierOptions } from './verifier-options.js';

const base: VerifierOptions = { issuer: 'https://idp.example', audience: 'api' };

describe('createVerifier options', () => {
  it.each([
    ['https', 'https://idp.example'],
    ['https with a path', 'https://idp.example/tenant/a'],
    ['http on localhost', 'http://localhost:3000'],
    ['http on a .localhost name', 'http://idp.localhost'],
    ['http on 127.0.0.1', 'http://127.0.0.1:8080'],
    ['http on [::1]', 'http://[::1]:8080'],
  ])('accepts an issuer over %s', (_name, issuer) => {
    expect(() => createVerifier({ ...base, issuer })).not.toThrow();
  });

  it.each<[string, Partial<VerifierOptions> | Record<string, unknown>]>([
    ['plain http issuer', { issuer: 'http://idp.example' }],
    ['http on a host that only looks local', { issuer: 'http://localhost.evil.example' }],
    ['issuer not a URL', { issuer: 'idp.example' }],
    ['issuer with a query', { issuer: 'https://idp.example/?tenant=a' }],
    ['issuer with a fragment', { issuer: 'https://idp.example/#a' }],
    ['issuer with credentials', { issuer: 'https://user:pw@idp.example' }],
    ['missing issuer', { issuer: undefined }],
    ['missing audience', { audience: undefined }],
    ['empty audience', { audience: '' }],
    ['empty audience list', { audience: [] }],
    ['empty clientId', { clientId: '' }],
    ['plain http jwksUri', { jwksUri: 'http://idp.example/jwks' }],
    ['allowHttpJwksUri not a boolean', { jwksUri: 'http://idp/jwks', allowHttpJwksUri: 'yes' }],
    [
      'an ftp jwksUri even with allowHttpJwksUri',
      { jwksUri: 'ftp://idp/jwks', allowHttpJwksUri: true },
    ],
    ['alg none', { algorithms: ['none'] }],
    ['HS256', { algorithms: ['HS256'] }],
    ['no algorithms', { algorithms: [] }],
    ['negative tolerance', { clockToleranceSec: -1 }],
    ['tolerance over 300 s', { clockToleranceSec: 301 }],
    ['now not a function', { now: 5 }],
    ['jwks not an object', { jwks: 'fast' }],
    ['jwks bad timeout', { jwks: { timeoutMs: -5 } }],
  ])('rejects %s with a TypeError', (_name, overrides) => {
    expect(() => createVerifier({ ...base, ...overrides })).toThrow(TypeError);
  });

  it('accepts a plain-http jwksUri on a private network only when told to (allowHttpJwksUri)', () => {
    const jwksUri = 'http://idp:4000/jwks';
    expect(() => createVerifier({ ...base, jwksUri })).toThrow(TypeError);
    expect(() => createVerifier({ ...base, jwksUri, allowHttpJwksUri: true })).not.toThrow();
  });

  it('rejects a non-object', () => {
    expect(() => createVerifier(undefined as unknown as VerifierOptions)).toThrow(TypeError);
  });
});
