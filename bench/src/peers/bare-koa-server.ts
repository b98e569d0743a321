/**
 * The baseline: Koa with one middleware and nothing else, as its own process. What any Koa
 * endpoint costs at least on this machine. Serves the IdP's /jwks bytes as given, and a fixed
 * token response at POST /token (no parsing, no signing).
 *
 * Usage: node --import tsx bare-koa-server.ts PORT JWKS_FILE
 */
import { readFileSync } from 'node:fs';
import Koa from 'koa';
import type { PeerReady } from './peer-protocol.js';

const port = Number(process.argv[2]);
const jwks = readFileSync(process.argv[3]!);
const token = Buffer.from(
  JSON.stringify({ access_token: 'x'.repeat(700), token_type: 'Bearer', expires_in: 600 }),
);

const app = new Koa();
app.use((ctx) => {
  ctx.type = ctx.path === '/jwks' ? 'application/jwk-set+json' : 'application/json';
  ctx.body = ctx.path === '/jwks' ? jwks : token;
});
process.on('SIGTERM', () => process.exit(0));
app.listen(port, '127.0.0.1', () => {
  const ready: PeerReady = { type: 'ready', url: `http://127.0.0.1:${port}` };
  process.send?.(ready);
});
