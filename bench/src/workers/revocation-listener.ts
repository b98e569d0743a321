/**
 * Case 3's SDK process: a verifier with the Redis revocation source, as a resource server
 * runs it. Given a token ('arm'), it verifies it, then notes the moment a verification of it is
 * first refused as revoked.
 *
 * It does not poll on a timer (1 ms granularity) nor spin all the time (two such processes
 * would starve the IdP on two cores): a subscription of its own to the revocation channel
 * wakes it, and it then verifies on every turn of the event loop until the refusal, which
 * also times the source's own handling of the notice.
 *
 * Usage: node --import tsx revocation-listener.ts ISSUER JWKS_URI REDIS_URL AUDIENCE
 */
import { revocationKeys } from '@latchkey/protocol';
import { createVerifier, TokenRevokedError } from '@latchkey/sdk';
import { createRedisRevocationSource } from '@latchkey/sdk/redis';
import { Redis } from 'ioredis';
import type { ArmRequest, ListenerMessage } from './listener-protocol.js';

const [issuer, jwksUri, redisUrl, audience] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const revocation = createRedisRevocationSource({ url: redisUrl });
const verifier = createVerifier({ issuer, audience, jwksUri, revocation });
const wake = new Redis(redisUrl);
const send = (message: ListenerMessage): void => void process.send?.(message);

/** Keeping up with verifications past this means the notice never came. */
const GIVE_UP_MS = 2_000;
let armed: { id: number; token: string; since: number } | undefined;
let watching = false;

function watch(): void {
  if (watching || !armed) return;
  watching = true;
  const current = armed;
  const step = (): void => {
    verifier.verifyAccessToken(current.token).then(
      () => {
        if (performance.now() - current.since > GIVE_UP_MS) {
          watching = false;
          armed = undefined;
          send({ type: 'failed', id: current.id, error: 'still accepted after 2 s' });
        } else setImmediate(step);
      },
      (error: unknown) => {
        const at = process.hrtime.bigint().toString();
        watching = false;
        armed = undefined;
        if (error instanceof TokenRevokedError) {
          send({ type: 'rejected', id: current.id, at, code: error.code });
        } else send({ type: 'failed', id: current.id, error: String(error) });
      },
    );
  };
  step();
}

wake.on('message', () => watch());
process.on('message', (message: ArmRequest) => {
  if (message.type !== 'arm') return;
  verifier.verifyAccessToken(message.token).then(
    () => {
      armed = { id: message.id, token: message.token, since: performance.now() };
      send({ type: 'armed', id: message.id });
    },
    (error: unknown) => send({ type: 'failed', id: message.id, error: String(error) }),
  );
});
process.on('SIGTERM', () => {
  wake.disconnect();
  void revocation.close().finally(() => process.exit(0));
});

await revocation.ready({ signal: AbortSignal.timeout(10_000) });
await wake.subscribe(revocationKeys.channel);
send({ type: 'ready' });
