import type { AccessTokenClaims } from '@latchkey/protocol';
import type { Middleware } from 'koa';
import { createBearerAuthenticator, type BearerOptions } from './bearer.js';
import type { Verifier } from './verifier.js';

/** What {@link requireBearer} puts on `ctx.state`. */
export interface BearerState {
  auth: AccessTokenClaims;
}

export type RequireBearerOptions = BearerOptions;

/**
 * Koa middleware that requires a valid Latchkey access token in `Authorization: Bearer`.
 * On success the claims are at `ctx.state.auth`. Throws TypeError on bad options.
 */
export function requireBearer(
  verifier: Pick<Verifier, 'verifyAccessToken'>,
  options: RequireBearerOptions = {},
): Middleware<BearerState> {
  const authenticate = createBearerAuthenticator(verifier, options);
  return async (ctx, next) => {
    const decision = await authenticate(ctx.get('authorization'));
    if (!decision.ok) {
      const { status, body, headers } = decision.denial;
      ctx.status = status;
      ctx.set(headers);
      ctx.body = body;
      return;
    }
    ctx.state.auth = decision.claims;
    // Outside the check: errors from later middleware are not authentication failures.
    await next();
  };
}
