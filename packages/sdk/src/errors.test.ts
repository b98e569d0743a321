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
] as const;

const unavailable = [
  [errors.JwksUnavailableError, 'ERR_JWKS_UNAVAILABLE'],
  [errors.DiscoveryError, 'ERR_DISCOVERY_FAILED'],
  [errors.RevocationStaleError, 'ERR_REVOCATION_STALE'],
  [errors.IdpUnavailableError, 'ERR_IDP_UNAVAILABLE'],
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

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new errors.JwksUnavailableError('x', { cause }).cause).toBe(cause);
  });
});
