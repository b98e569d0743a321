import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * Serves a fetch-API handler, `(Request) => Response` as Next.js route handlers are, over real
 * HTTP on 127.0.0.1:0: the request body streams in as Next hands it over, the answer out.
 */
export interface WebHandlerServer {
  url: string;
  close(): Promise<void>;
}

export async function serveWebHandler(
  handler: (request: Request) => Promise<Response>,
): Promise<WebHandlerServer> {
  const server: Server = createServer((req, res) => {
    const url = `http://127.0.0.1${req.url ?? '/'}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const body = hasBody ? bodyStream(req) : undefined;
    const request = new Request(url, {
      method: req.method ?? 'GET',
      headers,
      body: body?.stream ?? null,
      duplex: 'half',
    });
    handler(request)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
        // What the handler left unread is read and dropped, as Node does for a plain handler.
        body?.discard();
      })
      .catch(() => {
        res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The body as a web stream that reads on demand. Cancelling it discards the rest rather than
 * destroying the socket, so the answer still reaches the client.
 */
function bodyStream(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; discard(): void } {
  let discarding = false;
  const discard = (): void => {
    discarding = true;
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.pause();
        req.on('data', (chunk: Buffer) => {
          if (discarding) return;
          controller.enqueue(new Uint8Array(chunk));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on('end', () => {
          if (!discarding) controller.close();
        });
        req.on('error', (error) => {
          if (!discarding) controller.error(error);
        });
      },
      pull() {
        if (!discarding) req.resume();
      },
      cancel: discard,
    },
    { highWaterMark: 65_536, size: (chunk) => chunk.byteLength },
  );
  return { stream, discard };
}
