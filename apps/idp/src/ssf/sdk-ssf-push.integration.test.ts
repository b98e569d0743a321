import type { IncomingMessage, ServerResponse } from 'node:http';
import { createVerifier, type Verifier } from '@latchkey/sdk';
import { createSsfRevocationSource, type SsfRevocationSource } from '@latchkey/sdk/ssf';
import { waitFor } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, signInToShop, WIKI_API } from '../test-support/grants.js';
import { loopbackServers } from '../test-support/loopback-servers.js';
import { RECEIVER_B, startSsfTestIdp } from '../test-support/ssf-receivers.js';
import type { TestIdp } from '../test-support/test-idp.js';

const REFUSED_WITHIN_MS = 1_000;
const PUSH_SECRET = 'push-secret-of-the-service';

const servers = loopbackServers();
let idp: TestIdp;
let source: SsfRevocationSource;
let sdk: Verifier;
let endpoint: string;
beforeAll(async () => {
  idp = await startSsfTestIdp({ DELIVERY_RETRY_INITIAL_DELAY: '100ms' }, undefined, {
    startDeliveries: true,
    deliveryTuning: { pollIntervalMs: 50 },
  });
  // The service's own endpoint, where it mounts the source's push handler.
  const base = await servers.listen((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void source
        .receivePush({
          contentType: req.headers['content-type'],
          authorization: req.headers.authorization,
          body: Buffer.concat(chunks).toString(),
        })
        .then(({ status, body }) => {
          res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
          res.end(body ? JSON.stringify(body) : undefined);
        });
    });
  });
  endpoint = `${base}/ssf/events`;
  source = createSsfRevocationSource({
    issuer: ISSUER,
    idpUrl: idp.url,
    clientId: RECEIVER_B.id,
    clientSecret: RECEIVER_B.secret,
    maxStalenessMs: 3_000,
    push: { endpointUrl: endpoint, authorization: PUSH_SECRET },
  });
  await source.ready({ signal: AbortSignal.timeout(5_000) });
  sdk = createVerifier({
    issuer: ISSUER,
    audience: WIKI_API,
    jwksUri: `${idp.url}/jwks`,
    revocation: source,
  });
});
afterAll(async () => {
  await source?.close();
  await idp?.close();
  await servers.closeAll();
});

async function codeOf(token: string): Promise<string> {
  try {
    await sdk.verifyAccessToken(token);
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('the SDK revocation source by push (RFC 8935)', () => {
  it('is synced once the verification event came through its endpoint', () => {
    expect(source.status).toMatchObject({ state: 'synced', stale: false });
  });

  it(`refuses a revoked session within ${REFUSED_WITHIN_MS} ms of the logout`, async () => {
    const { session, tokens } = await signInToShop(idp, 'alice');
    expect(await codeOf(tokens.access_token!)).toBe('accepted');
    await idp.revoker.revokeSession(session, 'logout');
    await waitFor(
      'the revoked token to be refused',
      async () => (await codeOf(tokens.access_token!)) === 'ERR_TOKEN_REVOKED',
      { timeoutMs: REFUSED_WITHIN_MS },
    );
    expect(await codeOf(tokens.access_token!)).toBe('ERR_TOKEN_REVOKED');
  });

  it('the push endpoint: wrong Authorization 401, another media type or a forged SET 400', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(endpoint, { method: 'POST', headers, body });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"secevent+jwt"}').toString('base64url')}.e30.`;
    expect(
      (await post({ 'content-type': 'application/secevent+jwt', authorization: 'nope' }, unsigned))
        .status,
    ).toBe(401);
    expect(
      (await post({ 'content-type': 'application/json', authorization: PUSH_SECRET }, '{}')).status,
    ).toBe(400);
    const forged = await post(
      { 'content-type': 'application/secevent+jwt', authorization: PUSH_SECRET },
      unsigned,
    );
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ err: 'invalid_request' });
  });
});
