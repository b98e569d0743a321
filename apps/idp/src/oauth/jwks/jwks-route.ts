import type { Middleware } from 'koa';
import type { KeyManager } from '../../keys/key-manager.js';

/**
 * GET /jwks (RFC 7517 §5): the prepared document, or 304 when the client's copy is current.
 * `max-age` stays below the time a pending key waits before signing, so a cached copy always
 * knows the next key.
 */
export function jwksRoute(keys: KeyManager, maxAgeSec: number): Middleware {
  return (ctx) => {
    const { body, etag } = keys.jwks();
    ctx.set('Cache-Control', `public, max-age=${maxAgeSec}, must-revalidate`);
    ctx.set('ETag', etag);
    if (ifNoneMatch(ctx.get('If-None-Match'), etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/jwk-set+json';
    ctx.body = body;
  };
}

function ifNoneMatch(header: string, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
