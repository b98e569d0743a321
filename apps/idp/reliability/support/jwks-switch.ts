import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '@latchkey/testing';

/**
 * A loopback HTTP server standing in front of the IdP's /jwks, switchable between behaving
 * (`pass`: relays the IdP's answer) and the ways a key-set endpoint breaks in production.
 */
export type JwksBehaviour =
  | 'pass'
  /** Nothing listens on the port: connection refused. */
  | 'refused'
  /** Accepts the request and never answers. */
  | 'hang'
  /** 200 with an HTML page (a captive portal, a proxy's error page). */
  | 'html'
  | 'http-500'
  /** 200 with `{"keys": []}`. */
  | 'empty';

export interface JwksSwitch {
  readonly url: string;
  /** Requests received so far (a refused connection is not one). */
  requests(): number;
  set(behaviour: JwksBehaviour): Promise<void>;
  close(): Promise<void>;
}

export async function startJwksSwitch(upstreamJwks: string): Promise<JwksSwitch> {
  const port = await freePort();
  let behaviour: JwksBehaviour = 'pass';
  let count = 0;
  const sockets = new Set<Socket>();

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    count += 1;
    request.resume();
    switch (behaviour) {
      case 'hang':
        return; // the socket is destroyed when the behaviour changes or the server closes
      case 'html':
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.end('<!doctype html><title>Sign in to the Wi-Fi</title><p>Welcome</p>');
        return;
      case 'http-500':
        response.writeHead(500, { 'Content-Type': 'application/json' });
        response.end('{"error":"server_error"}');
        return;
      case 'empty':
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end('{"keys":[]}');
        return;
      default:
        void relay(upstreamJwks, response);
    }
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) =>
      server.listening ? server.close(() => resolve()) : resolve(),
    );
  };
  await listen();

  return {
    url: `http://127.0.0.1:${port}/jwks`,
    requests: () => count,
    async set(next) {
      if (behaviour === 'hang' || next === 'refused') await stop();
      if (next !== 'refused' && !server.listening) await listen();
      behaviour = next;
    },
    close: stop,
  };
}

async function relay(upstreamJwks: string, response: ServerResponse): Promise<void> {
  try {
    const upstream = await fetch(upstreamJwks);
    const headers: Record<string, string> = {
      'Content-Type': upstream.headers.get('content-type') ?? 'application/json',
    };
    const cacheControl = upstream.headers.get('cache-control');
    if (cacheControl) headers['Cache-Control'] = cacheControl;
    response.writeHead(upstream.status, headers);
    response.end(Buffer.from(await upstream.arrayBuffer()));
  } catch {
    response.writeHead(502).end();
  }
}
