import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { storeKeys } from '@latchkey/protocol';
import { checkDpopProof, DpopProofError } from '@latchkey/protocol/jwt';
import type { Config } from '../../config/config.js';
import type { Store } from '../../store/store.js';
import { InvalidDpopProofError, UseDpopNonceError } from './dpop-errors.js';
import { createDpopNonces } from './dpop-nonce.js';

export interface DpopCheckDeps {
  config: Pick<Config, 'issuer' | 'keyEncryptionKey' | 'dpop'>;
  store: Store;
  now: () => number;
}

/**
 * Checks the request's `DPoP` header, if any (RFC 9449 §4.3), and resolves to the thumbprint
 * of its key, or undefined when the request carries no proof. `path` is the endpoint's path:
 * `htu` is compared with the public URL (the issuer's), not with whatever a proxy forwarded.
 */
export type DpopCheck = (
  ctx: Context,
  at: 'token' | 'resource',
  path: string,
  accessToken?: string,
) => Promise<string | undefined>;

export function createDpopCheck({ config, store, now }: DpopCheckDeps): DpopCheck {
  const nonces = createDpopNonces(config.keyEncryptionKey, now);
  const { requireNonce, proofWindowSec } = config.dpop;
  return async (ctx, at, path, accessToken) => {
    const header = ctx.req.headers.dpop;
    if (header === undefined) return undefined;
    // Nonces are asked for at the token endpoint only: that is where a proof buys a token.
    const wantsNonce = requireNonce && at === 'token';
    const fresh = wantsNonce ? nonces.current() : undefined;
    if (fresh !== undefined) ctx.set('DPoP-Nonce', fresh);
    let proof;
    try {
      proof = checkDpopProof({
        proof: header,
        method: ctx.method,
        url: `${config.issuer}${path}`,
        now: now(),
        windowSec: proofWindowSec,
        ...(accessToken !== undefined && { accessToken }),
      });
    } catch (error) {
      if (error instanceof DpopProofError)
        throw new InvalidDpopProofError(error.message, at, fresh);
      throw error;
    }
    if (fresh !== undefined && (proof.nonce === undefined || !nonces.isValid(proof.nonce))) {
      throw new UseDpopNonceError(at, fresh);
    }
    // §11.1: a proof is good once. Keyed by key and jti, so one client cannot burn another's.
    const digest = createHash('sha256').update(`${proof.jkt}.${proof.jti}`).digest('base64url');
    const first = await store.set(storeKeys.dpopProof(digest), '1', {
      // Both ends of the iat window, so a proof cannot outlive its own record.
      ttlMs: 2 * proofWindowSec * 1000,
      ifAbsent: true,
    });
    if (!first) throw new InvalidDpopProofError('the DPoP proof was already used', at, fresh);
    return proof.jkt;
  };
}
