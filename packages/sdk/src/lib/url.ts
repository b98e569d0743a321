import { isLoopbackHost } from '@latchkey/protocol';

/**
 * Parses `value` as an https URL (or http on a loopback host), or returns undefined. Plain http
 * elsewhere would let an on-path attacker swap the key set and mint tokens at will.
 */
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
