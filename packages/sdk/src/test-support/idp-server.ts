import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/**
 * A stand-in IdP on 127.0.0.1:0 serving discovery and a JWKS, counting requests, with
 * switchable failure modes. Never listens beyond loopback.
 */

export type JwksMode = 'normal' | 'error500' | 'html' | 'empty' | 'slow' | 'not-object';

export interface TestIdp {
  readonly issuer: string;
  readonly jwksUri: string;
  keys: JWK[];
  mode: JwksMode;
  /** Delay of `slow` mode, ms. */
  slowMs: number;
  cacheControl: string | undefined;
  etag: string | undefined;
  /** Overrides the `issuer` in the discovery document. */
  discoveryIssuer: string | undefined;
  jwksRequests: number;
  discoveryRequests: number;
  notModifiedResponses: number;
  lastIfNoneMatch: string | undefined;
  /** Back to normal mode serving `keys`, request counters at zero. */
  reset(keys: JWK[]): void;
  close(): Promise<void>;
}

/** The switchable state of a fresh stand-in IdP. */
function initialState(keys: JWK[]) {
  return {
    keys,
    mode: 'normal' as JwksMode,
    slowMs: 1_000,
    cacheControl: undefined,
    etag: undefined,
    discoveryIssuer: undefined,
    jwksRequests: 0,
    discoveryRequests: 0,
    notModifiedResponses: 0,
    lastIfNoneMatch: undefined,
  };
}

export async function startTestIdp(keys: JWK[]): Promise<TestIdp> {
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const idp: TestIdp = {
    issuer,
    jwksUri: `${issuer}/jwks`,
    ...initialState(keys),
    reset: (fresh) => Object.assign(idp, initialState(fresh)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/.well-known/openid-configuration') {
      idp.discoveryRequests += 1;
      const metadata = { issuer: idp.discoveryIssuer ?? issuer, jwks_uri: idp.jwksUri };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
      return;
    }
    if (req.url !== '/jwks') {
      res.writeHead(404).end();
      return;
    }
    idp.jwksRequests += 1;
    const ifNoneMatch = req.headers['if-none-match'];
    idp.lastIfNoneMatch = ifNoneMatch;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (idp.cacheControl !== undefined) headers['cache-control'] = idp.cacheControl;
    if (idp.etag !== undefined) headers.etag = idp.etag;

    switch (idp.mode) {
      case 'error500':
        res.writeHead(500, headers).end('{"error":"boom"}');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Login</body></html>');
        return;
      case 'empty':
        res.writeHead(200, headers).end('{"keys":[]}');
        return;
      case 'not-object':
        res.writeHead(200, headers).end('[]');
        return;
      case 'slow':
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(200, headers).end(JSON.stringify({ keys: idp.keys }));
        }, idp.slowMs).unref();
        return;
      case 'normal':
        if (idp.etag !== undefined && ifNoneMatch === idp.etag) {
          idp.notModifiedResponses += 1;
          res.writeHead(304, headers).end();
          return;
        }
        res.writeHead(200, headers).end(JSON.stringify({ keys: idp.keys }));
    }
  }

  return idp;
}
