/**
 * Where to go after login: only a path on this app. Anything else (`//evil.example`,
 * `/\evil.example`, `https://…`, control characters) would turn the login route into an open
 * redirect, so it falls back to `/`.
 */
export function safeReturnTo(value: string | null | undefined): string {
  if (typeof value !== 'string' || value.length > 2048) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (/[\x00-\x1f\x7f\\]/.test(value)) return '/';
  try {
    // Resolved against a placeholder origin, a path must stay on it.
    const url = new URL(value, 'http://app.invalid');
    if (url.origin !== 'http://app.invalid') return '/';
    return `${url.pathname}${url.search}`;
  } catch {
    return '/';
  }
}
