/**
 * Plain http is allowed only for loopback hosts (local development and tests). Anywhere else an
 * on-path attacker could swap the key set or the discovery document and mint tokens at will.
 */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '127.0.0.1' ||
    hostname === '[::1]'
  );
}

/** Parses `value` as an https URL (or http on a loopback host), or returns undefined. */
export function parseSecureUrl(value: unknown): URL | undefined {
  if (!(typeof value === 'string' || value instanceof URL)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  return undefined;
}
