import { DEFAULT_ALGORITHMS } from '@latchkey/protocol';
import {
  createJwsParser,
  decodeJwsPayload,
  importVerificationKey,
  KeyNotFoundError,
  TokenTypeError,
  verifyJwsSignature,
  type VerificationKey,
} from '@latchkey/protocol/jwt';

/** The published key set as /jwks serves it; `etag` changes whenever the keys do. */
export interface PublishedKeys {
  etag: string;
  body: Buffer;
}

export interface OwnJws {
  alg: string;
  /** The payload, decoded only after the signature verified; its claims are not checked yet. */
  payload: Record<string, unknown>;
}

/**
 * Reads a token this IdP signed, with the same core and limits as the SDK (size, allowed
 * algorithms, header rules, low-s ECDSA): parse, `typ` check (RFC 8725 §3.11), key by `kid`
 * from the published set (pending, active, retired; a revoked key is gone from it, so its
 * tokens stop verifying at once), signature. Throws the core's `TokenInvalidError`
 * subclasses; claim checks are the caller's, as they differ per endpoint.
 */
export type OwnJwsReader = (token: string, typeAllowed: (typ: unknown) => boolean) => OwnJws;

export function createOwnJwsReader(published: () => PublishedKeys): OwnJwsReader {
  const parser = createJwsParser(new Set(DEFAULT_ALGORITHMS));
  let cached: { etag: string; keys: Map<string, VerificationKey> } | null = null;

  const keyFor = (kid: string): VerificationKey => {
    const document = published();
    if (cached?.etag !== document.etag) {
      // Imported once per key-set change, not per token.
      const jwks = JSON.parse(document.body.toString('utf8')) as { keys: unknown[] };
      const keys = new Map<string, VerificationKey>();
      for (const jwk of jwks.keys) {
        const key = importVerificationKey(jwk);
        if (key) keys.set(key.kid, key);
      }
      cached = { etag: document.etag, keys };
    }
    const key = cached.keys.get(kid);
    if (!key) throw new KeyNotFoundError('no published key has this kid');
    return key;
  };

  return (token, typeAllowed) => {
    const jws = parser.parse(token);
    if (!typeAllowed(jws.header.typ)) throw new TokenTypeError('typ header is not accepted here');
    verifyJwsSignature(jws, keyFor(jws.kid));
    parser.remember(jws);
    return { alg: jws.alg, payload: decodeJwsPayload(jws) };
  };
}
