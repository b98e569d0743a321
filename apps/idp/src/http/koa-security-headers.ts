import type { Middleware } from 'koa';

/**
 * Headers every response carries. The defaults suit JSON endpoints: nothing may be framed,
 * scripted or sniffed; HTML pages set their own Content-Security-Policy.
 */
export function securityHeaders(options: { https: boolean }): Middleware {
  return async (ctx, next) => {
    ctx.set({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    if (options.https) ctx.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    await next();
  };
}

/** Public metadata (discovery, JWKS) may be read by browser-based clients on any origin. */
export function allowAnyOrigin(): Middleware {
  return async (ctx, next) => {
    ctx.set('Access-Control-Allow-Origin', '*');
    await next();
  };
}
