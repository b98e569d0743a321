import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A load balancer for tests and the bench: a reverse proxy on a loopback port that sends each
 * request to the next of several upstream IdPs in turn, as an operator's HAProxy or nginx
 * would in front of several instances. Plain HTTP, no health checks, no retries: a request
 * that reaches a dead upstream gets a 502 that names it, so a test sees the failure rather
 * than a quiet retry elsewhere.
 */
export interface RoundRobinProxy {
  /** Where clients send requests, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  /** How many requests each upstream was sent, by index into `upstreams`. */
  served(): number[];
  close(): Promise<void>;
}

export interface RoundRobinProxyOptions {
  /** The upstreams' base URLs (`http://127.0.0.1:PORT`), in the order they take turns. */
  upstreams: readonly string[];
  /**
   * A request header that picks the upstream by its index (`'x-upstream-pin'`: a test sends
   * `x-upstream-pin: 2` to reach the third instance). Off unless named: a real balancer has
   * no such door, and the bench must not have it either. Never forwarded.
   */
  pinHeader?: string;
  /** How long an upstream may take to start answering before the client gets a 504. Default 30 s. */
  upstreamTimeoutMs?: number;
}

/** The response header that says which upstream (its index) answered. */
export const UPSTREAM_HEADER = 'x-upstream';

/**
 * Connection-level headers (RFC 9110 §7.6.1) belong to one hop: forwarding them would let a
 * client's `Connection: close` or `Upgrade` steer the proxy's connection to the upstream.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export async function startRoundRobinProxy(
  options: RoundRobinProxyOptions,
): Promise<RoundRobinProxy> {
  if (options.upstreams.length === 0) throw new TypeError('at least one upstream is needed');
  const upstreams = options.upstreams.map((base) => {
    const url = new URL(base);
    if (url.protocol !== 'http:') throw new TypeError(`upstream ${base}: only http:// is proxied`);
    // Keep-alive, as a balancer keeps connections to its backends: without it every request
    // would pay a TCP handshake on both sides and the bench would measure that.
    return { url, agent: new http.Agent({ keepAlive: true, maxSockets: 256 }) };
  });
  const counts = upstreams.map(() => 0);
  const pinHeader = options.pinHeader?.toLowerCase();
  const timeoutMs = options.upstreamTimeoutMs ?? 30_000;
  let next = 0;

  const choose = (req: IncomingMessage): number | null => {
    const pinned = pinHeader ? req.headers[pinHeader] : undefined;
    if (typeof pinned === 'string') {
      const index = Number(pinned);
      return Number.isInteger(index) && index >= 0 && index < upstreams.length ? index : null;
    }
    const index = next;
    next = (next + 1) % upstreams.length;
    return index;
  };

  const server = http.createServer((req, res) => {
    const index = choose(req);
    if (index === null) {
      answer(res, 400, `${pinHeader} must be an upstream index from 0 to ${upstreams.length - 1}`);
      return;
    }
    counts[index]! += 1;
    const upstream = upstreams[index]!;
    const outgoing = http.request({
      host: upstream.url.hostname,
      port: upstream.url.port,
      method: req.method,
      path: req.url,
      agent: upstream.agent,
      headers: forwardedHeaders(req, pinHeader),
    });
    outgoing.setTimeout(timeoutMs, () =>
      outgoing.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
    );
    outgoing.on('response', (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, {
        ...withoutHopByHop(upstreamRes.headers),
        [UPSTREAM_HEADER]: String(index),
      });
      upstreamRes.pipe(res);
      upstreamRes.on('error', () => res.destroy());
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        // Mid-body: the client must see a broken answer, not a short one that looks whole.
        res.destroy();
        return;
      }
      const status = error.code === 'ETIMEDOUT' ? 504 : 502;
      answer(
        res,
        status,
        `upstream ${index} (${upstream.url.origin}) did not answer: ${error.code ?? error.message}`,
        index,
      );
    });
    req.pipe(outgoing);
    // A client that goes away takes its upstream request with it.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served: () => [...counts],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const upstream of upstreams) upstream.agent.destroy();
    },
  };
}

/**
 * The client's headers for the upstream: the Host kept (the IdP builds no URL from it, but a
 * real balancer passes it), the client's address appended to `X-Forwarded-For` (read only
 * when the IdP trusts this proxy's address: TRUSTED_PROXIES), and the scheme the client used
 * in `X-Forwarded-Proto`.
 */
function forwardedHeaders(
  req: IncomingMessage,
  pinHeader: string | undefined,
): http.OutgoingHttpHeaders {
  const headers = withoutHopByHop(req.headers);
  if (pinHeader) delete headers[pinHeader];
  const peer = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${peer}` : peer;
  headers['x-forwarded-proto'] = 'http';
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  return headers;
}

function withoutHopByHop(headers: IncomingHttpHeaders): http.OutgoingHttpHeaders {
  // Names listed in Connection are hop-by-hop too (RFC 9110 §7.6.1).
  const listed = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const kept: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.includes(name)) continue;
    kept[name] = value;
  }
  return kept;
}

function answer(res: ServerResponse, status: number, message: string, upstream?: number): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    ...(upstream !== undefined && { [UPSTREAM_HEADER]: String(upstream) }),
  });
  res.end(`${http.STATUS_CODES[status] ?? status}: ${message}\n`);
}
