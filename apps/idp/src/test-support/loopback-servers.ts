import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../http/http-server.js';

type Handler = Parameters<typeof createHttpServer>[0];

/** HTTP servers on loopback, for tests that serve one IdP through several handlers. */
export interface LoopbackServers {
  /** Listens on a free port; resolves to the base URL. */
  listen(handler: Handler): Promise<string>;
  closeAll(): Promise<void>;
}

export function loopbackServers(): LoopbackServers {
  const servers: Server[] = [];
  return {
    async listen(handler) {
      const server = createHttpServer(handler).listen(0, '127.0.0.1');
      servers.push(server);
      await new Promise((resolve) => server.once('listening', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async closeAll() {
      for (const server of servers.splice(0)) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

/**
 * Status, headers (but the two that change with the moment, and the request id's value, new
 * for every request) and body: what two paths must share.
 */
export async function comparableAnswer(base: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, init);
  const headers = Object.fromEntries(
    [...response.headers]
      .filter(([name]) => name !== 'date' && name !== 'keep-alive')
      .map(([name, value]) => [name, name === 'x-request-id' ? 'REQUEST-ID' : value]),
  );
  return { status: response.status, headers, body: await response.text() };
}
