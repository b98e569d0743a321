import { isLoopbackHost } from '@latchkey/protocol';

/**
 * Parses `value` as an https URL (or http on a loopback host), or returns undefined. Plain http
 * elsewhere would let an on-path attacker swap the key set and mint tokens at will, so only a
 * caller that says the network is private (`allowHttp`) gets it.
 */
export function parseSecureUrl(value: unknown, allowHttp = false): URL | undefined {
  if (!(typeof value === 'string' || value instanceof URL)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && (allowHttp || isLoopbackHost(url.hostname))) return url;
  return undefined;
}
