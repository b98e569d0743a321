import type { Verifier } from '@latchkey/sdk';
import { createRedisRevocationSource } from '@latchkey/sdk/redis';
import { pick, type BenchContext } from '../context.js';
import { figure, type Row } from '../report/row.js';
import { measureRate } from '../runner/cpu-rate.js';
import { roundRatios, runRounds, type Contender } from '../runner/rounds.js';
import { startLocalIssuer, type Algorithm } from '../tokens/local-issuer.js';
import {
  floorVerifier,
  jsonwebtokenVerifier,
  joseVerifier,
  rawVerifier,
  warmSdkVerifier,
} from './verifiers.js';

/**
 * Case 1: verifying a token never seen before (a new user's first request, or a verifier that
 * caches nothing), single core, warm key set, Redis revocation source attached.
 *
 * Every operation gets a token none of its verifier has seen: the SDK keeps verified tokens,
 * so each pass over the pool uses a fresh verifier (created and warmed outside the timing).
 */
export async function verifyNewCase(context: BenchContext): Promise<Row[]> {
  const redis = await context.redis();
  const revocation = createRedisRevocationSource({ url: redis.url });
  await revocation.ready({ signal: AbortSignal.timeout(10_000) });
  const issuer = await startLocalIssuer();
  const rows: Row[] = [];
  try {
    for (const alg of ['ES256', 'RS256'] as const) {
      rows.push(...(await verifyNew(context, alg, issuer, revocation)));
    }
  } finally {
    await revocation.close();
    await issuer.close();
  }
  return rows;
}

async function verifyNew(
  context: BenchContext,
  alg: Algorithm,
  issuer: Awaited<ReturnType<typeof startLocalIssuer>>,
  revocation: Parameters<typeof warmSdkVerifier>[2],
): Promise<Row[]> {
  // RS256 signing is slow (~1 ms) and its verification fast: a smaller pool, more passes.
  const poolSize = alg === 'ES256' ? pick(context, 3000, 1000) : pick(context, 2000, 600);
  const durationMs = pick(context, 500, 200);
  context.log(`case 1 ${alg}: signing ${poolSize} distinct tokens`);
  const pool = Array.from({ length: poolSize }, () => issuer.token(alg));
  // Enough verifiers that the SDK runs out of fresh tokens only after the duration, even at
  // 40k verifications a second.
  const passes = Math.ceil((40_000 * durationMs) / 1000 / poolSize) + 1;

  const raw = rawVerifier(issuer, alg);
  const rawOps = pool.map((token) => raw(token));
  const floor = floorVerifier(issuer, alg);
  const jose = joseVerifier(issuer, alg);
  const jsonwebtoken = jsonwebtokenVerifier(issuer, alg);
  await jose(pool[0]!);
  await jsonwebtoken(pool[0]!);
  const budget = { durationMs, maxOps: passes * poolSize };

  const contenders: Contender[] = [
    {
      name: 'latchkey',
      async run() {
        const verifiers: Verifier[] = [];
        for (let i = 0; i < passes; i += 1) {
          verifiers.push(await warmSdkVerifier(issuer, alg, revocation));
        }
        const { rate } = await measureRate(
          (i) => verifiers[Math.floor(i / poolSize)]!.verifyAccessToken(pool[i % poolSize]!),
          budget,
        );
        return rate;
      },
    },
    {
      name: 'node:crypto',
      run: async () => (await measureRate((i) => rawOps[i % poolSize]!(), budget)).rate,
    },
    {
      name: 'floor',
      run: async () => (await measureRate((i) => floor(pool[i % poolSize]!), budget)).rate,
    },
    {
      name: 'jose',
      run: async () => (await measureRate((i) => jose(pool[i % poolSize]!), budget)).rate,
    },
    {
      name: 'jsonwebtoken',
      run: async () => (await measureRate((i) => jsonwebtoken(pool[i % poolSize]!), budget)).rate,
    },
  ];
  context.log(`case 1 ${alg}: measuring`);
  const result = await runRounds(contenders, {
    rounds: pick(context, 7, 3),
    warmup: pick(context, 2, 1),
  });
  const latchkey = figure(result.figures.get('latchkey')!, '/s');
  const row = (peer: string, label: string, min: number | null): Row => {
    const ratio = roundRatios(result, 'latchkey', peer);
    return {
      case: `1 verify new token ${alg}`,
      latchkey,
      peer: { name: label, figure: figure(result.figures.get(peer)!, '/s') },
      ratio,
      target: min === null ? '–' : `≥ ${min}×`,
      met: min === null ? null : ratio.median >= min,
    };
  };
  return [
    // Issue 17 raised this from 0.8×: every step around the verify counts against it.
    row('node:crypto', 'raw crypto.verify', 0.9),
    row('floor', 'decode, verify, parse only', null),
    row('jose', 'jose jwtVerify', 1.5),
    row('jsonwebtoken', 'jsonwebtoken+jwks-rsa', 2),
  ];
}
