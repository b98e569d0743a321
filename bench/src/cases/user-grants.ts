import type { BenchContext } from '../context.js';
import { codeRounds, refreshRounds } from '../grants/grant-rounds.js';
import {
  above,
  atLeast,
  p99Row,
  ratioRow,
  runsNote,
  type RatioTarget,
} from '../grants/grant-rows.js';
import { LATCHKEY, PEER_MAP, PEER_REDIS, startOneCoreServers } from '../grants/one-core-servers.js';
import { tokensNote, type Grant } from '../grants/token-answers.js';
import type { Row } from '../report/row.js';
import type { HttpRoundsResult } from '../runner/http-rounds.js';
import { startLoadGenerator } from '../runner/load.js';
import { pinServersToCoreZero } from '../runner/pinning.js';

const CONNECTIONS = 16;

/**
 * Case 5, one core each: the grants that act for a user, at 16 connections. Code redemption
 * (codes made as /authorize would, see idp-fixtures, each redeemed once) and refresh with
 * rotation (every request spends a refresh token and gets the next). Latchkey, oidc-provider
 * on its Redis adapter and on a Map, each pinned to core 0 as in case 4. Which tokens each
 * answer holds is read from a request before timing and given in the notes.
 */
export async function userGrantsCase(context: BenchContext): Promise<Row[]> {
  const trio = await startOneCoreServers('user-grants');
  try {
    const pinning = await pinServersToCoreZero(
      trio.servers.map((server) => server.pid),
      [trio.redisUrl],
    );
    const load = startLoadGenerator();
    try {
      context.log('case 5: authorization_code redemption, one core each');
      const codes = await codeRounds(context, load, trio.servers, CONNECTIONS);
      context.log('case 5: refresh_token with rotation, one core each');
      const refresh = await refreshRounds(context, load, trio.servers, CONNECTIONS);
      const rows = (
        grant: Grant,
        title: string,
        result: HttpRoundsResult,
        target: RatioTarget,
      ): Row[] => {
        const label = `5 one core each: ${title}, ${CONNECTIONS} conn.`;
        const versusRedis = ratioRow(
          label,
          result,
          LATCHKEY,
          PEER_REDIS,
          target,
          `${pinning.where}; ${tokensNote(grant, trio.servers, trio.answers)}`,
        );
        context.oneCoreRatios.set(grant, versusRedis.ratio.median);
        return [
          versusRedis,
          ratioRow(label, result, LATCHKEY, PEER_MAP, above(1), runsNote(result.runs)),
          p99Row(label, result, LATCHKEY, PEER_REDIS, 'below-peer'),
        ];
      };
      return [
        ...rows('authorization_code', 'code redemption', codes, atLeast(1.5)),
        ...rows('refresh_token', 'refresh_token (rotated)', refresh, atLeast(3)),
      ];
    } finally {
      await load.close();
      await pinning.release();
    }
  } finally {
    await trio.stop();
  }
}
