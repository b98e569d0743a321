import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';

const tokenInvalid = [
  [errors.TokenMalformedError, 'ERR_TOKEN_MALFORMED'],
  [errors.TokenAlgorithmError, 'ERR_TOKEN_ALGORITHM'],
  [errors.TokenHeaderError, 'ERR_TOKEN_HEADER'],
  [errors.TokenTypeError, 'ERR_TOKEN_TYPE'],
  [errors.KeyNotFoundError, 'ERR_KEY_NOT_FOUND'],
  [errors.SignatureInvalidError, 'ERR_SIGNATURE_INVALID'],
  [errors.TokenExpiredError, 'ERR_TOKEN_EXPIRED'],
  [errors.TokenNotYetValidError, 'ERR_TOKEN_NOT_YET_VALID'],
  [errors.IssuerMismatchError, 'ERR_CLAIM_ISSUER'],
  [errors.AudienceMismatchError, 'ERR_CLAIM_AUDIENCE'],
  [errors.NonceMismatchError, 'ERR_CLAIM_NONCE'],
  [errors.TokenRevokedError, 'ERR_TOKEN_REVOKED'],
  [errors.KeyRevokedError, 'ERR_KEY_REVOKED'],
] as const;

const unavailable = [
  [errors.JwksUnavailableError, 'ERR_JWKS_UNAVAILABLE'],
  [errors.DiscoveryError, 'ERR_DISCOVERY_FAILED'],
  [errors.RevocationStaleError, 'ERR_REVOCATION_STALE'],
  [errors.IdpUnavailableError, 'ERR_IDP_UNAVAILABLE'],
  [errors.SignalStreamError, 'ERR_SIGNAL_STREAM'],
] as const;

describe('errors', () => {
  it.each(tokenInvalid)('%o is a TokenInvalidError with code %s', (ErrorClass, code) => {
    const error = new ErrorClass('x');
    expect(ErrorClass.code).toBe(code);
    expect(error.code).toBe(code);
    expect(error.name).toBe(ErrorClass.name);
    expect(error).toBeInstanceOf(errors.TokenInvalidError);
    expect(error).not.toBeInstanceOf(errors.VerificationUnavailableError);
  });

  it.each(unavailable)('%o is a VerificationUnavailableError with code %s', (ErrorClass, code) => {
    const error = new ErrorClass('x');
    expect(ErrorClass.code).toBe(code);
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(errors.VerificationUnavailableError);
    expect(error).toBeInstanceOf(errors.LatchkeyError);
    expect(error).not.toBeInstanceOf(errors.TokenInvalidError);
  });

  it('ClaimInvalidError names the claim', () => {
    const error = new errors.ClaimInvalidError('jti');
    expect(error).toMatchObject({ code: 'ERR_CLAIM_INVALID', claim: 'jti' });
    expect(errors.ClaimInvalidError.code).toBe('ERR_CLAIM_INVALID');
    expect(error).toBeInstanceOf(errors.TokenInvalidError);
  });

  it('TokenRequestError carries the OAuth error code and status, and is neither family', () => {
    const error = new errors.TokenRequestError('invalid_grant', 400);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_REQUEST', error: 'invalid_grant', status: 400 });
    expect(error).toBeInstanceOf(errors.LatchkeyError);
    expect(error).not.toBeInstanceOf(errors.TokenInvalidError);
    expect(error).not.toBeInstanceOf(errors.VerificationUnavailableError);
  });

  it('KeyRevokedError is a TokenRevokedError, so code refusing revoked tokens refuses it', () => {
    expect(new errors.KeyRevokedError('x')).toBeInstanceOf(errors.TokenRevokedError);
  });

  it('RevocationLayoutError names both layouts and is a VerificationUnavailableError', () => {
    const error = new errors.RevocationLayoutError(1, 2);
    expect(error).toMatchObject({ code: 'ERR_REVOCATION_LAYOUT', expected: 1, found: 2 });
    expect(errors.RevocationLayoutError.code).toBe('ERR_REVOCATION_LAYOUT');
    expect(error).toBeInstanceOf(errors.VerificationUnavailableError);
    expect(error.message).toContain('layout 2');
    expect(error.message).toContain('layout 1');
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new errors.JwksUnavailableError('x', { cause }).cause).toBe(cause);
  });
});
