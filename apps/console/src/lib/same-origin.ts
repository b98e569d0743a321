/**
 * Whether a state-changing request came from one of the console's own pages (CSRF). Next
 * already refuses a server action whose Origin differs from the Host header; this checks
 * against the configured public origin instead, which a proxy's Host cannot blur, and reads
 * the browser's Fetch Metadata too. A browser sends both on every POST; a request with neither
 * is not from a browser, so it carries no victim's cookie and is let through to the same
 * checks as any other (the session, the admin role, the admin API's own).
 */
export function isSameOrigin(
  headers: { get(name: string): string | null },
  appOrigin: string,
): boolean {
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return false;
  const origin = headers.get('origin');
  if (origin !== null && origin !== appOrigin) return false;
  return true;
}
