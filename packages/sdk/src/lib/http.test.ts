import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson } from './http.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server that answers `{"n": …}`, or drops the connection when `drop` says so. */
async function serve(
  drop: (requestOnSocket: number) => boolean,
): Promise<{ url: URL; requests: () => number }> {
  const perSocket = new WeakMap<Socket, number>();
  let requests = 0;
  server = createServer((request, response) => {
    requests += 1;
    const n = (perSocket.get(request.socket) ?? 0) + 1;
    perSocket.set(request.socket, n);
    if (drop(n)) {
      request.socket.destroy();
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ n: requests }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/jwks`), requests: () => requests };
}

describe('getJson', () => {
  it('sends a GET again when a kept-alive connection is closed under it', async () => {
    // Every connection dies on its second request: each reuse of a kept-alive connection fails.
    const { url } = await serve((n) => n === 2);
    for (let i = 0; i < 4; i += 1) {
      const answer = await getJson(url, 5_000);
      expect(answer.status).toBe(200);
    }
  });

  it('gives up after the third try, with the connection error', async () => {
    const { url, requests } = await serve(() => true);
    await expect(getJson(url, 5_000)).rejects.toThrow(TypeError);
    expect(requests()).toBe(3);
  });

  it('does not retry a refused connection (nothing listening)', async () => {
    const { url } = await serve(() => false);
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    await expect(getJson(url, 5_000)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });
});
