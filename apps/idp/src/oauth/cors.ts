import type { Context, Middleware } from 'koa';
import type { Client, ClientRegistry } from '../clients/client.js';

/**
 * CORS for browser clients (single-page apps) at /token, /revoke and /userinfo. The public
 * documents (discovery, /jwks) stay `*` (http/koa-security-headers.ts).
 *
 * A client's browser origins are those of its http(s) redirect URIs plus its `web_origins`.
 * An allowed origin is echoed back, never `*`, and `Access-Control-Allow-Credentials` is
 * never sent: these endpoints take no cookie, so no cross-site request rides on the user's
 * IdP session. A refused origin gets no CORS header at all, and the browser withholds the
 * answer from the page.
 */
export interface BrowserOrigins {
  /** Whether `origin` is one of `client`'s browser origins. */
  ofClient(client: Client, origin: string): boolean;
  /** Whether `origin` is a browser origin of any registered client. */
  ofAnyClient(origin: string): boolean;
}

/** Headers a browser app may send: RFC 6750 / RFC 9449 credentials and the form body. */
const ALLOW_HEADERS = 'authorization, content-type, dpop';
/** What a browser app must read: the DPoP nonce (RFC 9449 §8) and the bearer challenge. */
const EXPOSE_HEADERS = 'DPoP-Nonce, WWW-Authenticate';
const MAX_AGE_SEC = '600';

const perClient = new WeakMap<Client, ReadonlySet<string>>();

/** A client's browser origins, computed once per registration object (a reload makes new ones). */
export function clientOrigins(client: Client): ReadonlySet<string> {
  let origins = perClient.get(client);
  if (!origins) {
    origins = new Set([...client.redirectUris.flatMap(webOrigin), ...(client.webOrigins ?? [])]);
    perClient.set(client, origins);
  }
  return origins;
}

function webOrigin(uri: string): string[] {
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || url.protocol === 'http:' ? [url.origin] : [];
  } catch {
    return [];
  }
}

export function createBrowserOrigins(clients: ClientRegistry): BrowserOrigins {
  // The registry hands out a new list on every reload: the union is rebuilt once per list.
  const unions = new WeakMap<readonly Client[], ReadonlySet<string>>();
  return {
    ofClient: (client, origin) => clientOrigins(client).has(origin),
    ofAnyClient(origin) {
      const all = clients.all();
      let union = unions.get(all);
      if (!union) {
        union = new Set(all.flatMap((client) => [...clientOrigins(client)]));
        unions.set(all, union);
      }
      return union.has(origin);
    },
  };
}

/** Lets the page of `origin` read this answer. */
export function allowOrigin(ctx: Context, origin: string): void {
  ctx.set({
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': EXPOSE_HEADERS,
  });
}

/** Undoes allowOrigin, when what the request turned out to be says the origin may not read it. */
export function withdrawOrigin(ctx: Context): void {
  ctx.remove('Access-Control-Allow-Origin');
  ctx.remove('Access-Control-Expose-Headers');
}

/**
 * The actual request of a client at /token or /revoke: its origin must be one of that client's
 * (the one the request names), so a page cannot spend another client's grants. The client is
 * looked up only for a request with an Origin: servers, which send none, skip the lookup.
 */
export function allowClientOrigin(
  ctx: Context,
  origins: BrowserOrigins,
  namedClient: () => Client | undefined,
): void {
  const origin = ctx.get('Origin');
  if (!origin) return;
  ctx.vary('Origin');
  const client = namedClient();
  if (client && origins.ofClient(client, origin)) allowOrigin(ctx, origin);
}

/**
 * The preflight (OPTIONS) of a browser POST. A preflight carries no body, so it cannot say
 * which client will call: it is answered for an origin of ANY registered client, and the
 * actual request is then checked against the client it names (allowClientOrigin).
 */
export function corsPreflight(origins: BrowserOrigins, methods: string): Middleware {
  return (ctx) => {
    ctx.vary('Origin');
    ctx.status = 204;
    const origin = ctx.get('Origin');
    if (!origin || !origins.ofAnyClient(origin)) return Promise.resolve();
    allowOrigin(ctx, origin);
    ctx.set({
      'Access-Control-Allow-Methods': methods,
      'Access-Control-Allow-Headers': ALLOW_HEADERS,
      'Access-Control-Max-Age': MAX_AGE_SEC,
    });
    return Promise.resolve();
  };
}
