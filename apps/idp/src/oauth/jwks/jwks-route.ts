import type { Middleware } from 'koa';
import type { KeyManager } from '../../keys/key-manager.js';

export const JWKS_PATH = '/jwks';
export const JWKS_CONTENT_TYPE = 'application/jwk-set+json';

/**
 * `max-age` stays below the time a pending key waits before signing, so a cached copy always
 * knows the next key.
 */
export function jwksCacheControl(maxAgeSec: number): string {
  return `public, max-age=${maxAgeSec}, must-revalidate`;
}

/**
 * GET /jwks (RFC 7517 §5): the prepared document, or 304 when the client's copy is current.
 * The IdP's server answers most of these before Koa (fast-paths/jwks-fast-path.ts); this
 * route answers what that leaves to Koa, e.g. while no key set is loaded (the error
 * handler's 503).
 */
export function jwksRoute(keys: KeyManager, maxAgeSec: number): Middleware {
  const cacheControl = jwksCacheControl(maxAgeSec);
  return (ctx) => {
    const { body, etag } = keys.jwks();
    ctx.set('Cache-Control', cacheControl);
    ctx.set('ETag', etag);
    if (ifNoneMatch(ctx.get('If-None-Match'), etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = JWKS_CONTENT_TYPE;
    ctx.body = body;
  };
}

/** RFC 9110 §13.1.2: weak comparison, a list of tags, or `*`. */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header === etag) return true;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
