import { isIP } from 'node:net';

/** One TRUSTED_PROXIES entry: an address or a CIDR block, IPv4 or IPv6. */
export interface ProxyEntry {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** An entry such as `10.0.0.0/8`, `192.0.2.7`, `fd00::/8` or `::1`; null when it is none. */
export function parseProxyEntry(text: string): ProxyEntry | null {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return null;
  return { address, prefix: Number(prefixText), family };
}
