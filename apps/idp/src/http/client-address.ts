import { BlockList, isIP } from 'node:net';
import type { Middleware } from 'koa';
import type { ProxyEntry } from '../config/proxy-entry.js';

/**
 * The address a request came from, for rate limits and the failed-login throttle.
 *
 * `X-Forwarded-For` is written by whoever sends the request, so it is read only when the
 * direct peer is a proxy the operator trusts (TRUSTED_PROXIES), and then from the right:
 * each trusted proxy appends the address it received the request from, so the right-most
 * address that is not a trusted proxy is the first one no trusted party can have invented.
 * Anything to its left was written by the client. (Koa's `app.proxy` with `maxIpsCount`
 * takes the header from anyone, so it stays off.)
 */

/** A predicate over normalised addresses: is this peer one of the operator's proxies? */
export function trustedProxyMatcher(entries: readonly ProxyEntry[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const { address, prefix, family } of entries) list.addSubnet(address, prefix, family);
  return (address) => {
    const version = isIP(address);
    return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * A literal IP address in one spelling per address: IPv4-mapped IPv6 (`::ffff:192.0.2.1`,
 * what a dual-stack socket reports for IPv4 peers) becomes IPv4, an IPv6 zone is dropped,
 * a port some proxies append (`192.0.2.1:4711`, `[2001:db8::1]:4711`) is dropped. Null when
 * the text is not an address.
 */
export function normaliseAddress(text: string): string | null {
  let candidate = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(candidate);
  if (bracketed?.[1]) candidate = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(candidate)) candidate = candidate.split(':')[0]!;
  candidate = candidate.replace(/%[\w.-]+$/, '');
  const version = isIP(candidate);
  if (version === 4) return candidate;
  if (version !== 6) return null;
  const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(candidate);
  if (mapped?.[1] && isIP(mapped[1]) === 4) return mapped[1];
  return candidate.toLowerCase();
}

/** At most this many forwarded hops are looked at; a real chain has two or three. */
const MAX_HOPS = 16;

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy, in which
 * case the right-most address in `forwardedFor` that is not a trusted proxy. A hop that is
 * not an address (garbage, `unknown`, an obfuscated identifier) stops the walk at the last
 * address a trusted proxy vouched for: such a request is counted against that proxy, never
 * against an address the client chose.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  isTrusted: (address: string) => boolean,
): string {
  let address = normaliseAddress(peer ?? '') ?? '';
  if (!forwardedFor || !isTrusted(address)) return address;
  const hops = forwardedFor.split(',').slice(-MAX_HOPS);
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = normaliseAddress(hops[i]!);
    if (hop === null) return address;
    address = hop;
    if (!isTrusted(hop)) return hop;
  }
  // Every hop looked at is a trusted proxy: the left-most one is the best we know.
  return address;
}

/**
 * Sets `ctx.ip` (what the login throttle and the rate limits read) from the socket and,
 * behind trusted proxies only, from `X-Forwarded-For`. Mounted on the routes that read it,
 * ahead of their limits.
 */
export function clientAddressFromProxies(entries: readonly ProxyEntry[]): Middleware {
  const isTrusted = trustedProxyMatcher(entries);
  return async (ctx, next) => {
    ctx.request.ip = clientAddress(
      ctx.req.socket.remoteAddress,
      ctx.get('X-Forwarded-For') || undefined,
      isTrusted,
    );
    await next();
  };
}

/**
 * The unit a per-address limit counts: the address itself for IPv4, its /64 for IPv6. One
 * IPv6 subscriber usually holds a whole /64 (RFC 6177) and can pick a fresh address per
 * request, so counting single IPv6 addresses would limit nothing.
 */
export function addressBucket(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

function expandIpv6(address: string): string[] | null {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (`64:ff9b::192.0.2.1`) is two groups.
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) =>
    group.replace(/^0+(?=.)/, ''),
  );
}
