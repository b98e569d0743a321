import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startRoundRobinProxy,
  UPSTREAM_HEADER,
  type RoundRobinProxy,
} from './round-robin-proxy.js';
import { freePort } from './wait.js';

/** An upstream that answers with its name, what it received, and a header of its own. */
interface EchoServer {
  url: string;
  received: {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
    remotePort: number;
  }[];
  close(): Promise<void>;
}

async function startEcho(name: string): Promise<EchoServer> {
  const received: EchoServer['received'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body,
        remotePort: req.socket.remotePort!,
      });
      res.writeHead(201, { 'content-type': 'text/plain', 'x-served-by': name, 'keep-alive': 'x' });
      res.end(`${name}:${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function topology(
  count: number,
  pinHeader?: string,
): Promise<{ proxy: RoundRobinProxy; echoes: EchoServer[] }> {
  const echoes = await Promise.all(Array.from({ length: count }, (_, i) => startEcho(`u${i}`)));
  cleanups.push(...echoes.map((echo) => () => echo.close()));
  const proxy = await startRoundRobinProxy({
    upstreams: echoes.map((echo) => echo.url),
    ...(pinHeader && { pinHeader }),
  });
  cleanups.push(() => proxy.close());
  return { proxy, echoes };
}

describe('round-robin proxy', () => {
  it('sends requests to each upstream in turn and says which one answered', async () => {
    const { proxy } = await topology(3);
    const answeredBy: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const response = await fetch(`${proxy.url}/x`);
      expect(response.status).toBe(201);
      expect(await response.text()).toMatch(/^u\d:$/);
      answeredBy.push(response.headers.get(UPSTREAM_HEADER)!);
    }
    expect(answeredBy).toEqual(['0', '1', '2', '0', '1', '2', '0']);
    expect(proxy.served()).toEqual([3, 2, 2]);
  });

  it('passes method, path, query, body and Host; adds X-Forwarded-For/Proto/Host', async () => {
    const { proxy, echoes } = await topology(1);
    const response = await fetch(`${proxy.url}/token?a=1&b=2`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': '198.51.100.7',
      },
      body: 'grant_type=client_credentials',
    });
    expect(await response.text()).toBe('u0:grant_type=client_credentials');
    const seen = echoes[0]!.received[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/token?a=1&b=2');
    expect(seen.headers.host).toBe(new URL(proxy.url).host);
    expect(seen.headers['x-forwarded-host']).toBe(new URL(proxy.url).host);
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    // Appended on the right: what the client wrote stays on the left, for the IdP to distrust.
    expect(seen.headers['x-forwarded-for']).toBe('198.51.100.7, 127.0.0.1');
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('drops hop-by-hop headers both ways', async () => {
    const { proxy, echoes } = await topology(1);
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${proxy.url}/`, {
        headers: { connection: 'keep-alive, x-secret-hop', 'x-secret-hop': '1', te: 'trailers' },
      });
      req.on('response', resolve).on('error', reject).end();
    });
    answer.resume();
    const seen = echoes[0]!.received[0]!.headers;
    expect(seen['x-secret-hop']).toBeUndefined();
    expect(seen.te).toBeUndefined();
    expect(answer.headers['x-served-by']).toBe('u0');
    expect(answer.headers['keep-alive']).not.toBe('x');
  });

  it('pins a request to an upstream by the pin header, which is not forwarded', async () => {
    const { proxy, echoes } = await topology(3, 'x-upstream-pin');
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(proxy.url, { headers: { 'x-upstream-pin': '2' } });
      expect(response.headers.get(UPSTREAM_HEADER)).toBe('2');
      await response.text();
    }
    expect(proxy.served()).toEqual([0, 0, 3]);
    expect(echoes[2]!.received[0]!.headers['x-upstream-pin']).toBeUndefined();
    // Unpinned requests still take turns from the start.
    const unpinned = await fetch(proxy.url);
    expect(unpinned.headers.get(UPSTREAM_HEADER)).toBe('0');
  });

  it.each(['3', '-1', 'one', '1.5'])(
    'refuses a pin to no upstream (%s) with a 400',
    async (pin) => {
      const { proxy } = await topology(3, 'x-upstream-pin');
      const response = await fetch(proxy.url, { headers: { 'x-upstream-pin': pin } });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/x-upstream-pin must be an upstream index from 0 to 2/);
      expect(proxy.served()).toEqual([0, 0, 0]);
    },
  );

  it('ignores the pin header when none is configured (a real balancer has no such door)', async () => {
    const { proxy } = await topology(2);
    const first = await fetch(proxy.url, { headers: { 'x-upstream-pin': '1' } });
    expect(first.headers.get(UPSTREAM_HEADER)).toBe('0');
  });

  it('answers 502 naming the upstream when it is down, and goes on with the others', async () => {
    const { echoes } = await topology(1);
    const deadPort = await freePort();
    const proxy = await startRoundRobinProxy({
      upstreams: [echoes[0]!.url, `http://127.0.0.1:${deadPort}`],
    });
    cleanups.push(() => proxy.close());
    const up = await fetch(proxy.url);
    expect(up.status).toBe(201);
    await up.text();
    const down = await fetch(proxy.url);
    expect(down.status).toBe(502);
    expect(down.headers.get(UPSTREAM_HEADER)).toBe('1');
    expect(await down.text()).toBe(
      `Bad Gateway: upstream 1 (http://127.0.0.1:${deadPort}) did not answer: ECONNREFUSED\n`,
    );
    const again = await fetch(proxy.url);
    expect(again.status).toBe(201);
    await again.text();
  });

  it('answers 504 when an upstream takes longer than the timeout to answer', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const { port } = silent.address() as AddressInfo;
    const proxy = await startRoundRobinProxy({
      upstreams: [`http://127.0.0.1:${port}`],
      upstreamTimeoutMs: 200,
    });
    cleanups.push(() => proxy.close());
    const response = await fetch(proxy.url);
    expect(response.status).toBe(504);
    expect(await response.text()).toMatch(/^Gateway Timeout: upstream 0 .* ETIMEDOUT/);
  });

  it('keeps connections to an upstream alive across requests', async () => {
    const { proxy, echoes } = await topology(1);
    for (let i = 0; i < 5; i += 1) await (await fetch(proxy.url)).text();
    // One socket would do; a new one per request would mean no keep-alive.
    const ports = new Set(echoes[0]!.received.map((r) => r.remotePort));
    expect(ports.size).toBe(1);
  });

  it('refuses a list of no upstreams and a non-http upstream', async () => {
    await expect(startRoundRobinProxy({ upstreams: [] })).rejects.toThrow(TypeError);
    await expect(startRoundRobinProxy({ upstreams: ['https://127.0.0.1:1'] })).rejects.toThrow(
      /only http/,
    );
  });
});
