/**
 * The Content-Security-Policy, built in one place for next.config.ts (every route) and
 * proxy.ts (pages, where it replaces the first: a proxy's header wins over next.config's).
 *
 * Next's App Router inlines its bootstrap scripts and styles, hence 'unsafe-inline'; a nonce
 * would need the proxy to build the page's request headers, which the SDK's proxy does.
 * `next dev` needs eval for React's error overlay. Chrome checks form-action against every
 * redirect that follows a form post, and logout answers with a redirect to the IdP, so pages
 * must allow the IdP's origin there; it is known only at run time, hence the proxy.
 */
export function contentSecurityPolicy(options: {
  devServer: boolean;
  formActionOrigins?: readonly string[];
}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${options.devServer ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    ["form-action 'self'", ...(options.formActionOrigins ?? [])].join(' '),
    "frame-ancestors 'none'",
  ].join('; ');
}
