import { pick, type BenchContext } from '../context.js';
import { basic, SHOP } from '../peers/bench-clients.js';
import { figure, type Row } from '../report/row.js';
import { runHttpRounds, type HttpContender } from '../runner/http-rounds.js';
import type { LoadResult } from '../runner/load-protocol.js';
import { startLoadGenerator } from '../runner/load.js';
import type { LoadConfig } from '../runner/load-protocol.js';
import { roundRatios } from '../runner/rounds.js';
import { codeBody, openIdpFixtures } from '../services/idp-fixtures.js';

const CONNECTIONS = 16;
const HEADERS = {
  authorization: basic(SHOP),
  'content-type': 'application/x-www-form-urlencoded',
};

/**
 * Case 5: the grants that act for a user, each answer an access token, an RS256 ID token and
 * a new refresh token. Refresh: every request spends a refresh token and gets the next one
 * (rotation, and for Latchkey its Redis round trips). Code redemption: codes made as
 * /authorize would (see idp-fixtures), each redeemed once.
 */
export async function userGrantsCase(context: BenchContext): Promise<Row[]> {
  const [idp, peer, redis] = [
    await context.idp(),
    await context.oidcProvider(),
    await context.redis(),
  ];
  const fixtures = await openIdpFixtures(redis.url);
  const load = startLoadGenerator();
  try {
    const codesPerRound = pick(context, 1000, 300);
    const latchkeyCodes = async (count: number) => {
      const codes = [];
      // One session per 50 codes: several apps of one user, each signing in.
      for (let i = 0; i < count; i += 50) {
        const session = await fixtures.session();
        codes.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(50, count - i) }, () => fixtures.code(session)),
          )),
        );
      }
      return codes;
    };
    const peerCodes = (count: number) => peer.mintCodes(count);
    const base = (url: string): Omit<LoadConfig, 'durationSec'> => ({
      url: `${url}/token`,
      method: 'POST',
      headers: HEADERS,
      connections: CONNECTIONS,
    });

    context.log(`case 5: authorization_code, ${codesPerRound} codes a round`);
    const codeContenders: HttpContender[] = [
      {
        name: 'latchkey',
        config: async () => ({
          ...base(idp.url),
          durationSec: 30,
          bodies: (await latchkeyCodes(codesPerRound)).map(codeBody),
        }),
      },
      {
        name: 'oidc-provider',
        config: async () => ({
          ...base(peer.url),
          durationSec: 30,
          bodies: (await peerCodes(codesPerRound)).map(codeBody),
        }),
      },
    ];
    const codes = await runHttpRounds(load, codeContenders, {
      rounds: pick(context, 3, 1),
      warmup: 1,
    });

    context.log('case 5: refresh_token with rotation');
    // Fresh tokens every round: a round leaves its pool spent, and a spent refresh token
    // presented again is reuse, which revokes the grant on both servers.
    const mint = {
      latchkey: async () =>
        redeemAll(idp.url, (await latchkeyCodes(2 * CONNECTIONS)).map(codeBody)),
      'oidc-provider': async () =>
        redeemAll(peer.url, (await peerCodes(2 * CONNECTIONS)).map(codeBody)),
    };
    const refreshContender = (name: keyof typeof mint, url: string): HttpContender => ({
      name,
      config: async () => ({
        ...base(url),
        durationSec: pick(context, 3, 1),
        refresh: { tokens: await mint[name](), extraBody: '' },
      }),
    });
    const refresh = await runHttpRounds(
      load,
      [refreshContender('latchkey', idp.url), refreshContender('oidc-provider', peer.url)],
      { rounds: pick(context, 3, 1), warmup: 1, allowFailures: false },
    );

    const rows: Row[] = [];
    for (const [label, result] of [
      ['5 authorization_code redemption', codes],
      ['5 refresh_token (rotated)', refresh],
    ] as const) {
      rows.push(
        {
          case: `${label}, ${CONNECTIONS} conn.`,
          latchkey: figure(result.rps.figures.get('latchkey')!, '/s'),
          peer: {
            name: 'oidc-provider',
            figure: figure(result.rps.figures.get('oidc-provider')!, '/s'),
          },
          ratio: roundRatios(result.rps, 'latchkey', 'oidc-provider'),
          target: '–',
          met: null,
          note: runsNote(result.runs),
        },
        {
          case: `${label}, ${CONNECTIONS} conn. p99`,
          latchkey: figure(result.p99Ms.get('latchkey')!, ' ms'),
          peer: {
            name: 'oidc-provider',
            figure: figure(result.p99Ms.get('oidc-provider')!, ' ms'),
          },
          target: '–',
          met: null,
        },
      );
    }
    return rows;
  } finally {
    await load.close();
    await fixtures.close();
  }
}

/** Answers and measured time of every run, so that a rate can be checked against its count. */
function runsNote(runs: Map<string, LoadResult[]>): string {
  const parts = [...runs].map(
    ([name, results]) =>
      `${name} ${results.map((r) => `${r.ok} in ${r.durationSec.toFixed(2)} s`).join(', ')}`,
  );
  return `answers per run, timed from the first request to the last answer: ${parts.join('; ')}`;
}

/** Redeems codes one by one and returns their refresh tokens. */
export async function redeemAll(url: string, bodies: string[]): Promise<string[]> {
  const tokens: string[] = [];
  for (const body of bodies) {
    const response = await fetch(`${url}/token`, { method: 'POST', headers: HEADERS, body });
    const json = (await response.json()) as { refresh_token?: string };
    if (!json.refresh_token) throw new Error(`${url}: no refresh token: ${JSON.stringify(json)}`);
    tokens.push(json.refresh_token);
  }
  return tokens;
}
