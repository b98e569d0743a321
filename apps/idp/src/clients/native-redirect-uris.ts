/**
 * Redirect URI rules that depend on the kind of client (OIDC Registration `application_type`,
 * RFC 8252 for native apps). Checked at registration; matching is in
 * oauth/authorize/redirect-uri-match.ts.
 */

export type ApplicationType = 'web' | 'native';

export function applicationType(value: unknown, problem: (text: string) => void): ApplicationType {
  if (value === undefined || value === 'web') return 'web';
  if (value === 'native') return 'native';
  problem('application_type must be web or native');
  return 'web';
}

/**
 * - No credentials in any redirect URI: `http://user@host/` reads as another host to people.
 * - RFC 8252 §8.3: a native client registers the loopback IP literal (`127.0.0.1`, `[::1]`),
 *   never `localhost` by name, which a local resolver or firewall may send elsewhere.
 * - RFC 8252 §7.1: private-use schemes (`com.example.app:/callback`) are for native apps only,
 *   and must be a reverse domain name (it holds a dot), so two apps do not claim one scheme.
 *   A web client gets http(s) only: another scheme would hand its codes to whatever app
 *   registered that scheme on the user's machine.
 */
export function checkRedirectUris(
  uris: readonly string[],
  type: ApplicationType,
  problem: (text: string) => void,
): void {
  for (const uri of uris) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      continue; // reported by the caller
    }
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    if (url.username || url.password) {
      problem(`redirect_uris: "${uri}" must not hold credentials`);
    } else if (web && type === 'native' && url.hostname === 'localhost') {
      problem(
        `redirect_uris: "${uri}": a native client uses http://127.0.0.1 or http://[::1], not localhost (RFC 8252 §8.3)`,
      );
    } else if (!web && type !== 'native') {
      problem(
        `redirect_uris: "${uri}": private-use URI schemes are for native clients only (RFC 8252 §7.1)`,
      );
    } else if (!web && !url.protocol.slice(0, -1).includes('.')) {
      problem(
        `redirect_uris: "${uri}": a private-use scheme must be a reverse domain name such as com.example.app (RFC 8252 §7.1)`,
      );
    }
  }
}
