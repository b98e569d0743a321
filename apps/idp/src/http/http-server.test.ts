import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, SERVER_LIMITS } from './http-server.js';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createHttpServer((_req, res) => void res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Writes raw bytes and collects everything the server sends until it closes. */
function exchange(chunks: (string | Buffer)[]): Promise<{ raw: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    socket.on('data', (data) => (raw += data.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ raw, ms: performance.now() - started }));
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

function parse(raw: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return {
    status: Number(head.split(' ')[1]),
    headers: head.toLowerCase(),
    body: JSON.parse(body),
  };
}

describe('createHttpServer', () => {
  it('answers a 1 MB header with 431 and an RFC 6749 body the client can read', async () => {
    const { raw } = await exchange([
      'GET /userinfo HTTP/1.1\r\nHost: x\r\n',
      `Authorization: Bearer ${'a'.repeat(1024 * 1024)}\r\n\r\n`,
    ]);
    const answer = parse(raw);
    expect(answer.status).toBe(431);
    expect(answer.headers).toContain('content-type: application/json');
    expect(answer.headers).toContain('connection: close');
    expect(answer.body).toEqual({
      error: 'invalid_request',
      error_description: 'request line or headers too large',
    });
  });

  it('bounds the request line by the same limit', async () => {
    const { raw } = await exchange([
      `GET /authorize?x=${'a'.repeat(SERVER_LIMITS.maxHeaderSize)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]);
    expect(parse(raw).status).toBe(431);
  });

  it('answers a malformed request with 400 and a body', async () => {
    const { raw } = await exchange(['NOT HTTP AT ALL\r\n\r\n']);
    const answer = parse(raw);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
  });

  it('still serves requests of a normal size', async () => {
    const { raw } = await exchange([
      `GET / HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(4096)}\r\nConnection: close\r\n\r\n`,
    ]);
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nok$/);
  });

  it('answers a request whose headers trickle in too slowly (slowloris) with 408 and a body', async () => {
    const slow = createHttpServer((_req, res) => void res.end('ok'), {
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const { raw, ms } = await new Promise<{ raw: string; ms: number }>((resolve, reject) => {
        const started = performance.now();
        const socket = connect((slow.address() as AddressInfo).port, '127.0.0.1');
        let raw = '';
        // One header byte every 100 ms, never finishing: only the server's timeout ends it.
        const drip = setInterval(() => socket.writable && socket.write('a'), 100);
        socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: '));
        socket.on('data', (data) => (raw += data.toString('latin1')));
        socket.on('error', reject);
        socket.on('close', () => {
          clearInterval(drip);
          resolve({ raw, ms: performance.now() - started });
        });
        socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
      });
      const answer = parse(raw);
      expect(answer.status).toBe(408);
      expect(answer.body).toMatchObject({ error: 'invalid_request' });
      // The timeout plus up to one check interval (1 s), with room for a loaded machine.
      expect(ms).toBeLessThan(4_000);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it('sets the slowloris timeouts', () => {
    expect(server.headersTimeout).toBe(SERVER_LIMITS.headersTimeoutMs);
    expect(server.requestTimeout).toBe(SERVER_LIMITS.requestTimeoutMs);
  });
});
