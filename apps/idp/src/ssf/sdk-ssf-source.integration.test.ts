import { createVerifier, type Verifier } from '@latchkey/sdk';
import { createPrometheusMetrics } from '@latchkey/sdk/metrics';
import { createSsfRevocationSource, type SsfRevocationSource } from '@latchkey/sdk/ssf';
import { Registry } from 'prom-client';
import { startTcpGate, waitFor, type TcpGate } from '@latchkey/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, signInToShop, WIKI_API } from '../test-support/grants.js';
import { NO_SCOPE, RECEIVER_A, startSsfTestIdp } from '../test-support/ssf-receivers.js';
import type { TestIdp } from '../test-support/test-idp.js';

/** The promise under test: a revoked session is refused within this bound of the logout. */
const REFUSED_WITHIN_MS = 1_000;
/** Kept short so the fail-closed case takes a second or two, not the default 30 s. */
const MAX_STALENESS_MS = 1_500;

let idp: TestIdp;
let gate: TcpGate;
let source: SsfRevocationSource;
let sdk: Verifier;
const registry = new Registry();
const metrics = createPrometheusMetrics(registry);
beforeAll(async () => {
  idp = await startSsfTestIdp();
  // The service reaches the IdP through a gate the test can shut: an IdP "unreachable".
  gate = await startTcpGate(Number(new URL(idp.url).port));
  source = createSsfRevocationSource({
    issuer: ISSUER,
    idpUrl: `http://127.0.0.1:${gate.port}`,
    clientId: RECEIVER_A.id,
    clientSecret: RECEIVER_A.secret,
    maxStalenessMs: MAX_STALENESS_MS,
    requestTimeoutMs: 1_000,
    metrics,
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
  await gate?.close();
  await idp?.close();
});

/** One sample of the SDK's metrics (`_count`/`_sum` of a histogram too); 0 when absent. */
async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name.replace(/_(?:count|sum)$/, ''))!;
  const found = (await metric.get()).values.find(
    (value) =>
      ('metricName' in value ? value.metricName : name) === name &&
      Object.entries(labels).every(([key, wanted]) => String(value.labels[key]) === wanted),
  );
  return found?.value ?? 0;
}

async function codeOf(token: string, verifier: Verifier = sdk): Promise<string> {
  try {
    await verifier.verifyAccessToken(token);
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('the SDK revocation source over Shared Signals (no Redis)', () => {
  it('created its own poll stream and drained it', () => {
    expect(source.status).toMatchObject({ state: 'synced', stale: false });
    expect(source.status.streamId).toEqual(expect.any(String));
  });

  it(`refuses a revoked session within ${REFUSED_WITHIN_MS} ms of the logout`, async () => {
    const { session, tokens } = await signInToShop(idp, 'alice');
    expect(await codeOf(tokens.access_token!)).toBe('accepted');
    const applied = () =>
      sample('latchkey_sdk_revocation_notices_applied_total', { source: 'ssf', kind: 'session' });
    const lags = () => sample('latchkey_sdk_revocation_lag_seconds_count', { source: 'ssf' });
    const lagSum = () => sample('latchkey_sdk_revocation_lag_seconds_sum', { source: 'ssf' });
    const before = { applied: await applied(), lags: await lags(), sum: await lagSum() };
    await idp.revoker.revokeSession(session, 'logout');
    await waitFor(
      'the revoked token to be refused',
      async () => (await codeOf(tokens.access_token!)) === 'ERR_TOKEN_REVOKED',
      { timeoutMs: REFUSED_WITHIN_MS },
    );
    expect(await codeOf(tokens.access_token!)).toBe('ERR_TOKEN_REVOKED');
    // The event applied once, its lag measured from its event_timestamp (whole seconds,
    // rounded down by the IdP for a session: at most a second more than the real lag).
    expect((await applied()) - before.applied).toBe(1);
    expect((await lags()) - before.lags).toBe(1);
    expect((await lagSum()) - before.sum).toBeLessThan(REFUSED_WITHIN_MS / 1000 + 1);
  });

  it('"log out everywhere" refuses every earlier token of the user', async () => {
    const first = await signInToShop(idp, 'bob');
    const second = await signInToShop(idp, 'bob');
    await idp.revoker.revokeUser(first.session.sub, 'admin');
    await waitFor(
      'both tokens to be refused',
      async () =>
        (await codeOf(first.tokens.access_token!)) === 'ERR_TOKEN_REVOKED' &&
        (await codeOf(second.tokens.access_token!)) === 'ERR_TOKEN_REVOKED',
      { timeoutMs: REFUSED_WITHIN_MS },
    );
    expect(await codeOf(second.tokens.access_token!)).toBe('ERR_TOKEN_REVOKED');
  });

  it('fails closed when the IdP is unreachable longer than maxStaleness, and catches up after the gap', async () => {
    const { session, tokens } = await signInToShop(idp, 'alice');
    gate.shut();
    try {
      // Revoked while the service cannot hear of it: the event waits in the stream.
      await idp.revoker.revokeSession(session, 'logout');
      await waitFor(
        'the stale state to be refused',
        async () => (await codeOf(tokens.access_token!)) === 'ERR_REVOCATION_STALE',
        { timeoutMs: MAX_STALENESS_MS + 2_000, intervalMs: 50 },
      );
      expect(source.status.stale).toBe(true);
      expect(await sample('latchkey_sdk_revocation_stale', { source: 'ssf' })).toBe(1);
    } finally {
      gate.open();
    }
    // Back in touch: the event queued during the gap is applied, not lost.
    await waitFor(
      'the event missed during the outage to be applied',
      async () => (await codeOf(tokens.access_token!)) === 'ERR_TOKEN_REVOKED',
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    const fresh = await signInToShop(idp, 'alice');
    expect(await codeOf(fresh.tokens.access_token!)).toBe('accepted');
  });

  it('a password change (credential-change) refuses the tokens issued before it', async () => {
    const { session, tokens } = await signInToShop(idp, 'bob');
    await idp.accounts.setPassword(session.sub, 'correct horse battery staple 42', {
      keepSid: session.sid,
    });
    await waitFor(
      'the token from before the change to be refused',
      async () => (await codeOf(tokens.access_token!)) === 'ERR_TOKEN_REVOKED',
      { timeoutMs: REFUSED_WITHIN_MS },
    );
    expect(source.status.state).toBe('synced');
  });

  it('a source started after a logout refuses that session: the revoked set is loaded at start, not only later events', async () => {
    const { session, tokens } = await signInToShop(idp, 'alice');
    await idp.revoker.revokeSession(session, 'logout');
    const everywhere = await signInToShop(idp, 'bob');
    await idp.revoker.revokeUser(everywhere.session.sub, 'admin');
    // A service (re)started now: its new stream carries nothing from before its creation.
    const restarted = createSsfRevocationSource({
      issuer: ISSUER,
      idpUrl: idp.url,
      clientId: RECEIVER_A.id,
      clientSecret: RECEIVER_A.secret,
    });
    try {
      await restarted.ready({ signal: AbortSignal.timeout(5_000) });
      const verifier = createVerifier({
        issuer: ISSUER,
        audience: WIKI_API,
        jwksUri: `${idp.url}/jwks`,
        revocation: restarted,
      });
      const code = (token: string) => codeOf(token, verifier);
      expect(await code(tokens.access_token!)).toBe('ERR_TOKEN_REVOKED');
      expect(await code(everywhere.tokens.access_token!)).toBe('ERR_TOKEN_REVOKED');
      const fresh = await signInToShop(idp, 'alice');
      expect(await code(fresh.tokens.access_token!)).toBe('accepted');
    } finally {
      await restarted.close();
    }
  });

  it('GET /ssf/revocations needs the receiver token', async () => {
    const answer = await fetch(`${idp.url}/ssf/revocations`);
    expect(answer.status).toBe(401);
  });

  it('a receiver without the ssf.manage scope: ready() rejects with ERR_SIGNAL_STREAM and check fails closed', async () => {
    const refused = createSsfRevocationSource({
      issuer: ISSUER,
      idpUrl: idp.url,
      clientId: NO_SCOPE.id,
      clientSecret: NO_SCOPE.secret,
    });
    try {
      await expect(refused.ready({ signal: AbortSignal.timeout(5_000) })).rejects.toMatchObject({
        code: 'ERR_SIGNAL_STREAM',
      });
      expect(() => refused.check({ sub: 'u', iat: 1 })).toThrow(
        expect.objectContaining({ code: 'ERR_SIGNAL_STREAM' }),
      );
    } finally {
      await refused.close();
    }
  });
});
