import type { Client } from '../../clients/client.js';

// The loopback IP literals of RFC 8252 §7.3, with an optional port, then the rest verbatim.
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?].*)?$/;

/**
 * Whether `presented` is one of the client's registered redirect URIs. Exact string
 * comparison (OAuth 2.1 §2.3.1), with the one exception RFC 8252 §7.3 makes for native apps:
 * a registered `http://127.0.0.1/…` or `http://[::1]/…` matches the same URI on any port,
 * because the app listens on whatever port the OS gives it. Only the port may differ: the
 * host must be the same literal (not `localhost`, not `127.0.0.1.evil.example`), nothing may
 * come between `//` and the host (no userinfo), and path and query are compared as strings.
 *
 * Native clients only: a web client's loopback URI is a developer's server with a fixed
 * port, and keeping web clients on exact matching costs nothing.
 */
export function redirectUriMatches(
  client: Pick<Client, 'redirectUris' | 'applicationType'>,
  presented: string,
): boolean {
  if (client.redirectUris.includes(presented)) return true;
  if (client.applicationType !== 'native') return false;
  const asked = LOOPBACK.exec(presented);
  if (!asked) return false;
  const [, host, port, rest = ''] = asked;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535 || port.startsWith('0')))
    return false;
  return client.redirectUris.some((registered) => {
    const known = LOOPBACK.exec(registered);
    return known !== null && known[1] === host && (known[3] ?? '') === rest;
  });
}
