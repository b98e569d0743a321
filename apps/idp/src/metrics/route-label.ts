/**
 * The `route` label of a request: its first path segment when it is one of the IdP's, else
 * `other`. A bounded set, so that a scanner requesting a million paths adds no series.
 */
const ROUTES = new Set([
  'authorize',
  'token',
  'par',
  'jwks',
  'userinfo',
  'revoke',
  'introspect',
  'logout',
  'login',
  'account',
  'forgot-password',
  'reset-password',
  'verify-email',
  'signup',
  'invitation',
  'passkeys',
  'ssf',
  'admin',
  'assets',
  'healthz',
  'readyz',
]);

export function routeLabel(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0]!;
  if (path.startsWith('/.well-known/')) {
    const document = path.slice('/.well-known/'.length);
    return /^[a-z-]{1,40}$/.test(document) ? `/.well-known/${document}` : 'other';
  }
  const segment = path.split('/', 2)[1] ?? '';
  if (segment === '') return '/';
  return ROUTES.has(segment) ? `/${segment}` : 'other';
}
