import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { AttemptResult } from './attempt-result.js';
import type { DeliveryRequest } from './delivery-kind.js';

export interface PostOptions {
  /** The whole exchange (connect, send, status line) must fit in this. */
  readonly timeoutMs: number;
  /**
   * Contact only loopback addresses: a target that is, or resolves to, anything else is
   * blocked before a packet leaves. Tests and benchmarks set it, so a registration pointing
   * outside can never be reached from them.
   */
  readonly loopbackOnly: boolean;
  /** Name resolution; default the system's (dns.lookup). Tests give their own. */
  readonly resolve?: Resolve;
}

/** Every address a host name stands for. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/**
 * One POST of a delivery: no redirect is followed (node's http never does; a 3xx is just a
 * status), the answer's body is not read beyond its status, and only http(s) is spoken.
 * `*.localhost` is loopback by definition (RFC 6761 §6.3) and resolved as such here, since
 * the system resolver may not know it.
 */
export function postToTarget(
  target: string,
  message: DeliveryRequest,
  options: PostOptions,
): Promise<AttemptResult> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ type: 'blocked', reason: 'not a URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve({ type: 'blocked', reason: `scheme ${url.protocol} not allowed` });
  }
  if (url.username || url.password) {
    return Promise.resolve({ type: 'blocked', reason: 'credentials in the URL' });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) && options.loopbackOnly && !isLoopbackAddress(host)) {
    return Promise.resolve({ type: 'blocked', reason: 'not a loopback address' });
  }
  const body = Buffer.from(message.body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = send(url, {
      method: 'POST',
      agent: false,
      lookup: guardedLookup(options.loopbackOnly, options.resolve ?? systemResolve),
      headers: {
        ...message.headers,
        'content-type': message.contentType,
        'content-length': String(body.length),
        'user-agent': 'Latchkey',
      },
    });
    const timer = setTimeout(
      () => settle({ type: 'unreachable', reason: `timeout after ${options.timeoutMs} ms` }),
      options.timeoutMs,
    );
    req.on('response', (res) => {
      res.resume();
      settle({ type: 'answered', status: res.statusCode ?? 0 });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof BlockedTargetError) settle({ type: 'blocked', reason: error.message });
      else settle({ type: 'unreachable', reason: error.code ?? error.message });
    });
    req.end(body);
  });
}

class BlockedTargetError extends Error {}

export function isLoopbackAddress(address: string): boolean {
  const v4 = address.replace(/^::ffff:/i, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/**
 * The resolver the connection uses, so the address checked is the address contacted (no
 * second look-up an attacker's DNS could answer differently).
 */
function guardedLookup(loopbackOnly: boolean, resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    const done = (error: Error | null, addresses: LookupAddress[]): void => {
      if (error) return callback(error, '', 4);
      const allowed = loopbackOnly
        ? addresses.filter(({ address }) => isLoopbackAddress(address))
        : addresses;
      if (allowed.length === 0) {
        return callback(new BlockedTargetError(`${hostname} is not a loopback address`), '', 4);
      }
      if (options.all) return (callback as AllCallback)(null, allowed);
      const [first] = allowed as [LookupAddress];
      return callback(null, first.address, first.family);
    };
    if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
      return done(null, [{ address: '127.0.0.1', family: 4 }]);
    }
    resolve(hostname).then(
      (addresses) => done(null, addresses),
      (error: Error) => done(error, []),
    );
  };
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;
