#!/usr/bin/env node
// The browser app's static files, from a plain Node server (no framework): public/, the
// oidc-client-ts browser build under /vendor/, and /config.json, the settings the page reads
// (from the environment, so `pnpm demo` can move the ports).
// @ts-check
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = Number(process.env.SPA_PORT ?? process.env.PORT ?? 3010);
const host = process.env.HOST ?? '127.0.0.1';
const appUrl = process.env.APP_URL ?? `http://spa.localhost:${port}`;
const issuer = process.env.ISSUER ?? 'http://idp.localhost:4000';
const config = JSON.stringify({
  issuer,
  clientId: process.env.CLIENT_ID ?? 'spa',
  appUrl,
  api: process.env.API_RESOURCE ?? 'http://wiki.localhost:3002/api',
});

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));
const OIDC_CLIENT = join(
  dirname(createRequire(import.meta.url).resolve('oidc-client-ts/package.json')),
  'dist/browser/oidc-client-ts.min.js',
);
const FILES = new Map([
  ['/', join(PUBLIC, 'index.html')],
  ['/index.html', join(PUBLIC, 'index.html')],
  ['/callback.html', join(PUBLIC, 'callback.html')],
  ['/app.js', join(PUBLIC, 'app.js')],
  ['/vendor/oidc-client-ts.min.js', OIDC_CLIENT],
]);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
// The page talks to the IdP only (fetch from here to /token, /userinfo, /revoke): nothing
// else may be loaded or called, and no inline script runs.
const CSP = `default-src 'self'; connect-src 'self' ${new URL(issuer).origin}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const headers = {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/config.json') {
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(config);
    return;
  }
  const file = FILES.get(path);
  if (!file) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  try {
    const body = await readFile(file);
    const type = TYPES[/** @type {keyof typeof TYPES} */ (extname(file))];
    res.writeHead(200, { ...headers, 'Content-Type': type }).end(req.method === 'HEAD' ? '' : body);
  } catch {
    res.writeHead(500, headers).end();
  }
});

server.listen(port, host, () => {
  process.stdout.write(`example SPA on ${appUrl} (listening on ${host}:${port})\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
