/**
 * The floor of a client_credentials answer: plain `node:http`, no framework, doing only what
 * any server must do for it: read the form, check the Basic secret against a stored SHA-256
 * digest, sign an ES256 JWT access token shaped like Latchkey's (RFC 9068: `at+jwt`, its
 * claims, a fresh `jti`) with Latchkey's signer, and answer it as JSON with `no-store`. No
 * rate limit, no audit, no CORS, no security headers, no error handling beyond a 400/401:
 * what an IdP costs above this is what its own features and its framework cost.
 *
 * With WORKERS > 1, that many processes under Node's cluster share the port, as the all-cores
 * rows run the servers; the primary says it is ready once every worker listens.
 *
 * Usage: node --import tsx signing-floor-server.ts PORT [WORKERS]
 */
import cluster from 'node:cluster';
import { generateKeyPairSync, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { signCompactJws } from '@latchkey/protocol/jwt';
import { REPORTS } from './bench-clients.js';
import type { PeerReady } from './peer-protocol.js';

const port = Number(process.argv[2]);
const workers = Number(process.argv[3] ?? 1);
const issuer = `http://127.0.0.1:${port}`;
const key = {
  alg: 'ES256' as const,
  kid: 'floor',
  privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
};
const expected = `${REPORTS.id}:${REPORTS.secret}`;
const digest = hash('sha256', expected, 'buffer');

function answer(form: URLSearchParams): string {
  const iat = Math.floor(Date.now() / 1000);
  const scope = form.get('scope') ?? '';
  const token = signCompactJws(key, 'at+jwt', {
    iss: issuer,
    sub: REPORTS.id,
    aud: 'http://wiki.localhost:3002/api',
    client_id: REPORTS.id,
    iat,
    exp: iat + 600,
    jti: randomBytes(16).toString('base64url'),
    scope,
  });
  return JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600, scope });
}

function serve(ready: () => void): void {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const credentials = Buffer.from(
        (request.headers.authorization ?? '').replace(/^Basic /i, ''),
        'base64',
      ).toString();
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const [status, body] = !timingSafeEqual(hash('sha256', credentials, 'buffer'), digest)
        ? [401, '{"error":"invalid_client"}']
        : form.get('grant_type') === 'client_credentials'
          ? [200, answer(form)]
          : [400, '{"error":"unsupported_grant_type"}'];
      response.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  server.listen(port, '127.0.0.1', ready);
}

const announce = (): void => {
  const ready: PeerReady = { type: 'ready', url: issuer };
  process.send?.(ready);
};

if (workers > 1 && cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < workers; i += 1) cluster.fork();
  cluster.on('listening', () => {
    listening += 1;
    if (listening === workers) announce();
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  process.on('SIGTERM', () => process.exit(0));
  serve(workers > 1 ? () => {} : announce);
}
