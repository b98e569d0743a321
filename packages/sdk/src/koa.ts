import type { AccessTokenClaims } from '@latchkey/protocol';
import type { Middleware } from 'koa';
import { createBearerAuthenticator, type BearerOptions } from './bearer.js';
import { readNodeBody } from './lib/request-body.js';
import {
  createBackChannelLogoutHandler,
  type BackChannelLogoutOptions,
} from './logout/back-channel-logout.js';
import type { Verifier } from './verifier.js';

/** What {@link requireBearer} puts on `ctx.state`. */
export interface BearerState {
  auth: AccessTokenClaims;
}

export type RequireBearerOptions = BearerOptions;

/**
 * Koa middleware that requires a valid Latchkey access token in `Authorization: Bearer`, or a
 * DPoP-bound one in `Authorization: DPoP` with its `DPoP` proof (RFC 9449 §7.1), whose `htu`
 * is checked against `ctx.href` (behind a proxy, set `app.proxy = true` so that it is the
 * public URL). A bound token sent as Bearer is refused. On success the claims are at
 * `ctx.state.auth`. Throws TypeError on bad options.
 */
export function requireBearer(
  verifier: Pick<Verifier, 'verifyAccessToken'>,
  options: RequireBearerOptions = {},
): Middleware<BearerState> {
  const authenticate = createBearerAuthenticator(verifier, options);
  return async (ctx, next) => {
    const decision = await authenticate(ctx.get('authorization'), {
      proof: ctx.req.headers.dpop,
      method: ctx.method,
      url: ctx.href,
    });
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

export interface BackChannelLogoutMiddlewareOptions extends BackChannelLogoutOptions {
  /** The path of the `backchannel_logout_uri`; other paths go on to the next middleware. Default `/backchannel-logout`. */
  path?: string;
}

/**
 * Koa middleware answering OpenID Connect Back-Channel Logout requests at `path` (§2.5–2.8):
 * verifies the `logout_token` (`verifier.verifyLogoutToken`), calls `onLogout` to end the
 * local session(s), and answers 200, or 400 with RFC 6749 JSON; always `Cache-Control:
 * no-store`. Reads the raw body itself (place it before any body parser, or the parser's
 * `ctx.request.body.logout_token` is used). Throws TypeError on bad options.
 */
export function backChannelLogout(
  verifier: Pick<Verifier, 'verifyLogoutToken'>,
  options: BackChannelLogoutMiddlewareOptions,
): Middleware {
  const path = options?.path ?? '/backchannel-logout';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError('path must start with /');
  }
  const handle = createBackChannelLogoutHandler(verifier, options);
  return async (ctx, next) => {
    if (ctx.path !== path) {
      await next();
      return;
    }
    const response = await handle({
      method: ctx.method,
      contentType: ctx.get('content-type'),
      contentLength: ctx.get('content-length') || undefined,
      readBody: (limit) => readBodyOnce(ctx.req, (ctx.request as { body?: unknown }).body, limit),
    });
    // Koa's own error channel, so the app's logger sees a failing onLogout.
    if (response.failure !== undefined) ctx.app.emit('error', response.failure, ctx);
    ctx.status = response.status;
    ctx.set(response.headers);
    ctx.body = response.body;
  };
}

/** A body parser ahead of us has already consumed the stream: take its parsed form then. */
function readBodyOnce(
  request: Parameters<typeof readNodeBody>[0],
  parsed: unknown,
  limit: number,
): Promise<Buffer | undefined> {
  if (!request.readableEnded) return readNodeBody(request, limit);
  const token = (parsed as { logout_token?: unknown } | undefined)?.logout_token;
  const form = typeof token === 'string' ? new URLSearchParams({ logout_token: token }) : '';
  return Promise.resolve(Buffer.from(form.toString()));
}
