/**
 * Case 3's SSF SDK process: a verifier whose revocation source is the IdP's Shared Signals
 * stream (poll or push), with no Redis. Given a token ('arm'), it verifies it, then verifies
 * it again every millisecond and notes the moment it is first refused as revoked. (The Redis
 * listener is woken by its own subscription; here nothing but the source hears of the event,
 * and a 1 ms timer costs little next to the tens of ms being measured.)
 *
 * Usage: node --import tsx ssf-revocation-listener.ts ISSUER IDP_URL AUDIENCE poll|push ID SECRET
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, TokenRevokedError } from '@latchkey/sdk';
import { createSsfRevocationSource } from '@latchkey/sdk/ssf';
import type { ArmRequest, ListenerMessage } from './listener-protocol.js';

const [issuer, idpUrl, audience, mode, clientId, clientSecret] = process.argv.slice(2) as [
  string,
  string,
  string,
  'poll' | 'push',
  string,
  string,
];
const send = (message: ListenerMessage): void => void process.send?.(message);
const GIVE_UP_MS = 5_000;
const PUSH_SECRET = 'bench-push-authorization-secret';

// The service's push endpoint (push mode): the source's handler, mounted as a service would.
const server = createServer((req, res) => onPush(req, res));
let push: { endpointUrl: string; authorization: string } | undefined;
if (mode === 'push') {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  push = { endpointUrl: `http://127.0.0.1:${port}/ssf/events`, authorization: PUSH_SECRET };
}
const revocation = createSsfRevocationSource({
  issuer,
  idpUrl,
  clientId,
  clientSecret,
  ...(push && { push }),
});
function onPush(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void revocation
      .receivePush({
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString(),
      })
      .then(({ status, body }) => {
        res.writeHead(status);
        res.end(body ? JSON.stringify(body) : undefined);
      });
  });
}
const verifier = createVerifier({ issuer, audience, jwksUri: `${idpUrl}/jwks`, revocation });

function watch(id: number, token: string): void {
  const since = performance.now();
  const step = (): void => {
    verifier.verifyAccessToken(token).then(
      () => {
        if (performance.now() - since > GIVE_UP_MS) {
          send({ type: 'failed', id, error: 'still accepted after 5 s' });
        } else setTimeout(step, 1);
      },
      (error: unknown) => {
        const at = process.hrtime.bigint().toString();
        if (error instanceof TokenRevokedError)
          send({ type: 'rejected', id, at, code: error.code });
        else send({ type: 'failed', id, error: String(error) });
      },
    );
  };
  step();
}

process.on('message', (message: ArmRequest) => {
  if (message.type !== 'arm') return;
  verifier.verifyAccessToken(message.token).then(
    () => {
      send({ type: 'armed', id: message.id });
      watch(message.id, message.token);
    },
    (error: unknown) => send({ type: 'failed', id: message.id, error: String(error) }),
  );
});
process.on('SIGTERM', () => {
  server.close();
  void revocation.close().finally(() => process.exit(0));
});

await revocation.ready({ signal: AbortSignal.timeout(10_000) });
send({ type: 'ready' });
