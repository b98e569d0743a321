import { pick, type BenchContext } from '../context.js';
import { runHttpRounds, type HttpRoundsResult } from '../runner/http-rounds.js';
import type { LoadGenerator } from '../runner/load.js';
import { codeBody } from '../services/idp-fixtures.js';
import type { GrantServer } from './grant-server.js';
import { redeemAll, SHOP_HEADERS } from './redeem-all.js';
import { CLIENT_CREDENTIALS_BODY, REPORTS_HEADERS } from './token-answers.js';

/**
 * The three token grants, each server in turn in every round (the order rotating), so that
 * every ratio divides figures measured side by side. A failed request fails the case.
 */
const rounds = (context: BenchContext) => ({ rounds: pick(context, 3, 1), warmup: 1 });

/** client_credentials, the same body on every request, for 2 s a round (1 s --quick). */
export function clientCredentialsRounds(
  context: BenchContext,
  load: LoadGenerator,
  servers: readonly Pick<GrantServer, 'name' | 'url' | 'cpuMicros' | 'redisCpuMicros'>[],
  connections: number,
): Promise<HttpRoundsResult> {
  return runHttpRounds(
    load,
    servers.map((server) => ({
      name: server.name,
      cpuMicros: server.cpuMicros,
      redisCpuMicros: server.redisCpuMicros,
      config: () => ({
        url: `${server.url}/token`,
        method: 'POST',
        headers: REPORTS_HEADERS,
        body: CLIENT_CREDENTIALS_BODY,
        connections,
        durationSec: pick(context, 2, 1),
      }),
    })),
    rounds(context),
  );
}

/**
 * Code redemption: 1,000 codes a round (300 --quick), made before the round as /authorize
 * would, each redeemed once; the run ends when they are spent (30 s at most).
 */
export function codeRounds(
  context: BenchContext,
  load: LoadGenerator,
  servers: readonly GrantServer[],
  connections: number,
): Promise<HttpRoundsResult> {
  const count = pick(context, 1000, 300);
  return runHttpRounds(
    load,
    servers.map((server) => ({
      name: server.name,
      cpuMicros: server.cpuMicros,
      redisCpuMicros: server.redisCpuMicros,
      config: async () => ({
        ...shopTokenRequest(server, connections),
        bodies: (await server.mintCodes(count)).map(codeBody),
        durationSec: 30,
      }),
    })),
    rounds(context),
  );
}

/**
 * Refresh with rotation for 2 s a round (1 s --quick): every request spends a refresh token
 * and puts the next back in the pool. A fresh pool every round: a spent token presented
 * again is reuse, which revokes the grant on every server here.
 */
export function refreshRounds(
  context: BenchContext,
  load: LoadGenerator,
  servers: readonly GrantServer[],
  connections: number,
): Promise<HttpRoundsResult> {
  return runHttpRounds(
    load,
    servers.map((server) => ({
      name: server.name,
      cpuMicros: server.cpuMicros,
      redisCpuMicros: server.redisCpuMicros,
      config: async () => ({
        ...shopTokenRequest(server, connections),
        refresh: {
          tokens: await redeemAll(
            server.url,
            (await server.mintCodes(2 * connections)).map(codeBody),
          ),
          extraBody: '',
        },
        durationSec: pick(context, 2, 1),
      }),
    })),
    rounds(context),
  );
}

/** POST /token as the shop (client_secret_basic), the part of a user grant's load every round shares. */
function shopTokenRequest(server: Pick<GrantServer, 'url'>, connections: number) {
  return {
    url: `${server.url}/token`,
    method: 'POST' as const,
    headers: SHOP_HEADERS,
    connections,
  };
}
