import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Limits of the HTTP layer, below Koa. Request lines and headers are bounded together by
 * `maxHeaderSize`: the largest legitimate request (a sub-1 KB access token, a session and a
 * CSRF cookie, a 2 KiB-per-parameter /authorize URL) is a few KiB. Bodies are bounded by
 * `readForm` (form-body.ts).
 */
export const SERVER_LIMITS = {
  /** Request line plus headers, Node's default made explicit. Above it: 431. */
  maxHeaderSize: 16 * 1024,
  /** Slowloris: the headers must have arrived within this. */
  headersTimeoutMs: 10_000,
  /** The whole request (bodies are at most 32 KiB). */
  requestTimeoutMs: 30_000,
  /** How often Node checks the two timeouts above (its default is 30 s). */
  connectionsCheckingIntervalMs: 1_000,
  /** After refusing a request, how long its remaining bytes are read and dropped. */
  lingerMs: 1_000,
  /** ... and at most how many bytes. */
  lingerBytes: 4 * 1024 * 1024,
} as const;

/**
 * The IdP's HTTP server. Requests Node refuses before Koa sees them (headers too large,
 * malformed, too slow) get a well-formed answer too: an RFC 6749 JSON error with the right
 * status, instead of Node's bare status line or a reset connection.
 */
export function createHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
  /** Tests shorten the timeouts to see them fire. */
  overrides: { headersTimeoutMs?: number; requestTimeoutMs?: number } = {},
): Server {
  const limits = { ...SERVER_LIMITS, ...overrides };
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    },
    // Koa's callback answers its own failures; nothing is left for the promise to carry.
    (req, res) => void handler(req, res),
  );
  server.on('clientError', answerClientError);
  return server;
}

const answered = new WeakSet<Duplex>();

/** Node's 'clientError': no request or response object, so the answer goes on the socket. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // The parser may report again for bytes that arrive after it failed: answer once.
  if (answered.has(socket)) return;
  answered.add(socket);
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, description] = describe(error.code);
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-store\r\n' +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
  linger(socket);
}

function describe(code: string | undefined): [number, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'Request Header Fields Too Large', 'request line or headers too large'];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'Payload Too Large', 'chunk extensions too large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'Request Timeout', 'the request took too long to arrive'];
    default:
      return [400, 'Bad Request', 'malformed HTTP request'];
  }
}

/**
 * Closing a socket while the client is still sending makes the kernel answer with a reset,
 * which can destroy our answer before the client reads it (the client still writing a 1 MB
 * header). So the rest is read and dropped, for a bounded time and size, before closing.
 */
function linger(socket: Duplex): void {
  let dropped = 0;
  const timer = setTimeout(() => socket.destroy(), SERVER_LIMITS.lingerMs);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > SERVER_LIMITS.lingerBytes) socket.destroy();
  });
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
}
