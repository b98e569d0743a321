import { createPrometheusMetrics } from '@latchkey/sdk/metrics';
import { createRedisRevocationSource } from '@latchkey/sdk/redis';
import { Registry } from 'prom-client';
import { pick, type BenchContext } from '../context.js';
import { figure, type Row } from '../report/row.js';
import { measureRate } from '../runner/cpu-rate.js';
import { roundRatios, runRounds, type Contender } from '../runner/rounds.js';
import { startLocalIssuer } from '../tokens/local-issuer.js';
import { jsonwebtokenVerifier, joseVerifier, warmSdkVerifier } from './verifiers.js';

/**
 * Case 2: the common case, one user sending many requests with the same token. The SDK still
 * checks expiry and asks the revocation source on every call; the peers verify the signature
 * every time, as they have no other way to trust the token.
 *
 * Beside them, the same SDK verifier with Prometheus metrics (`@latchkey/sdk/metrics`) on a
 * registry that is scraped once a round, as a service's would be: what counting costs on the
 * path where it weighs most.
 */
export async function verifySeenCase(context: BenchContext): Promise<Row[]> {
  const redis = await context.redis();
  const revocation = createRedisRevocationSource({ url: redis.url });
  await revocation.ready({ signal: AbortSignal.timeout(10_000) });
  const issuer = await startLocalIssuer();
  try {
    const alg = 'ES256';
    const token = issuer.token(alg);
    const sdk = await warmSdkVerifier(issuer, alg, revocation);
    await sdk.verifyAccessToken(token);
    const registry = new Registry();
    const metered = await warmSdkVerifier(
      issuer,
      alg,
      revocation,
      createPrometheusMetrics(registry),
    );
    await metered.verifyAccessToken(token);
    const jose = joseVerifier(issuer, alg);
    const jsonwebtoken = jsonwebtokenVerifier(issuer, alg);
    await jose(token);
    await jsonwebtoken(token);
    const durationMs = pick(context, 400, 150);
    const budget = { durationMs, maxOps: 20_000_000 };
    const contenders: Contender[] = [
      {
        name: 'latchkey',
        run: async () => (await measureRate(() => sdk.verifyAccessToken(token), budget)).rate,
      },
      {
        name: 'latchkey+metrics',
        async run() {
          const { rate } = await measureRate(() => metered.verifyAccessToken(token), budget);
          await registry.metrics();
          return rate;
        },
      },
      { name: 'jose', run: async () => (await measureRate(() => jose(token), budget)).rate },
      {
        name: 'jsonwebtoken',
        run: async () => (await measureRate(() => jsonwebtoken(token), budget)).rate,
      },
    ];
    context.log('case 2: measuring');
    const result = await runRounds(contenders, {
      rounds: pick(context, 7, 3),
      warmup: pick(context, 2, 1),
    });
    const latchkey = figure(result.figures.get('latchkey')!, '/s');
    const joseRatio = roundRatios(result, 'latchkey', 'jose');
    return [
      {
        case: `2 verify seen token ${alg}`,
        latchkey,
        peer: { name: 'jose jwtVerify', figure: figure(result.figures.get('jose')!, '/s') },
        ratio: joseRatio,
        target: '≥ 100×',
        met: joseRatio.median >= 100,
      },
      {
        case: `2 verify seen token ${alg}`,
        latchkey,
        peer: {
          name: 'jsonwebtoken+jwks-rsa',
          figure: figure(result.figures.get('jsonwebtoken')!, '/s'),
        },
        ratio: roundRatios(result, 'latchkey', 'jsonwebtoken'),
        target: '–',
        met: null,
      },
      {
        case: `2 SDK verify with metrics vs without ${alg}`,
        latchkey: figure(result.figures.get('latchkey+metrics')!, '/s'),
        peer: { name: 'the same SDK without metrics', figure: latchkey },
        ratio: roundRatios(result, 'latchkey+metrics', 'latchkey'),
        target: '≥ 0.8×',
        met: roundRatios(result, 'latchkey+metrics', 'latchkey').median >= 0.8,
      },
    ];
  } finally {
    await revocation.close();
    await issuer.close();
  }
}
