import { DPOP_SIGNING_ALGORITHMS } from '@latchkey/protocol/jwt';
import { OAuthError } from '../oauth-errors.js';

const ALGS = `algs="${DPOP_SIGNING_ALGORITHMS.join(' ')}"`;

/**
 * RFC 9449 errors. At the token endpoint (§5) they are RFC 6749 §5.2 JSON with status 400; at a
 * resource (§7.1) the same codes come with status 401 and a `WWW-Authenticate: DPoP` challenge.
 * A fresh nonce rides along in `DPoP-Nonce` whenever the server wants one (§8, §9).
 */
export class InvalidDpopProofError extends OAuthError {
  constructor(description: string, at: 'token' | 'resource', nonce?: string) {
    super('invalid_dpop_proof', at === 'token' ? 400 : 401, description, {
      ...(at === 'resource' && {
        'WWW-Authenticate': challenge('invalid_dpop_proof', description),
      }),
      ...(nonce !== undefined && { 'DPoP-Nonce': nonce }),
    });
  }
}

export class UseDpopNonceError extends OAuthError {
  constructor(at: 'token' | 'resource', nonce: string) {
    const description = 'the DPoP proof must carry the nonce of the DPoP-Nonce header';
    super('use_dpop_nonce', at === 'token' ? 400 : 401, description, {
      ...(at === 'resource' && { 'WWW-Authenticate': challenge('use_dpop_nonce', description) }),
      'DPoP-Nonce': nonce,
    });
  }
}

/** §7.1, §7.2: a token refused at a resource that speaks DPoP is challenged with the DPoP scheme. */
export class DpopInvalidTokenError extends OAuthError {
  constructor(description: string) {
    super('invalid_token', 401, description, {
      'WWW-Authenticate': challenge('invalid_token', description),
    });
  }
}

function challenge(error: string, description: string): string {
  return `DPoP realm="latchkey", error="${error}", error_description="${description}", ${ALGS}`;
}
