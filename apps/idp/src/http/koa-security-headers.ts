import type { Middleware } from 'koa';

/**
 * Headers every response carries. The defaults suit JSON endpoints: nothing may be framed,
 * scripted or sniffed; HTML pages set their own Content-Security-Policy.
 */
export function securityHeaderList(options: { https: boolean }): [string, string][] {
  return [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ...(options.https
      ? [['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'] as [string, string]]
      : []),
  ];
}

export function securityHeaders(options: { https: boolean }): Middleware {
  // Straight onto the response: ctx.set re-dispatches per call and checks value types we
  // already know are strings.
  const list = securityHeaderList(options);
  return async (ctx, next) => {
    for (const [name, value] of list) ctx.res.setHeader(name, value);
    await next();
  };
}

/** Public metadata (discovery, JWKS) may be read by browser-based clients on any origin. */
export const ALLOW_ANY_ORIGIN: [string, string] = ['Access-Control-Allow-Origin', '*'];

export function allowAnyOrigin(): Middleware {
  return async (ctx, next) => {
    ctx.set(...ALLOW_ANY_ORIGIN);
    await next();
  };
}
