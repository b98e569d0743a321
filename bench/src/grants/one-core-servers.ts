import { startOidcProvider, type OidcPeer } from '../peers/oidc-provider.js';
import type { BenchIdp } from '../services/idp.js';
import { latchkeyServer, peerServer, type GrantServer } from './grant-server.js';
import { startLatchkeyOnPostgres, type LatchkeyOnPostgres } from './latchkey-on-postgres.js';
import { describeAnswers, type Grant } from './token-answers.js';

export const LATCHKEY = 'latchkey';
export const PEER_REDIS = { name: 'oidc-provider/redis', label: 'oidc-provider, Redis adapter' };
export const PEER_MAP = { name: 'oidc-provider/map', label: 'oidc-provider, Map adapter' };

/** The three servers of the "one core each" rows (cases 4 and 5), not yet pinned. */
export interface OneCoreServers {
  idp: BenchIdp;
  redisUrl: string;
  /** Latchkey, oidc-provider on Redis, oidc-provider on a Map: the rounds' order. */
  servers: GrantServer[];
  /** Per grant, what each server's answer held in a request made before timing. */
  answers: Map<string, Record<Grant, string>>;
  stop(): Promise<void>;
}

/**
 * Latchkey (one process, IDP_WORKERS=1, directory on the PostgreSQL server) and oidc-provider
 * twice: on its Redis adapter, on the same Redis server as Latchkey (its own key prefix), and
 * on a Map in its process, which favours it (no round trip) and which no deployment of more
 * than one process can use.
 */
export async function startOneCoreServers(caseName: string): Promise<OneCoreServers> {
  let latchkey: LatchkeyOnPostgres | undefined;
  const peers: OidcPeer[] = [];
  const stop = async () => {
    for (const peer of peers) await peer.stop().catch(() => {});
    await latchkey?.stop();
  };
  try {
    latchkey = await startLatchkeyOnPostgres(caseName, 1);
    const redisUrl = latchkey.redis.url;
    peers.push(await startOidcProvider({ redisUrl }));
    peers.push(await startOidcProvider());
    const servers = [
      latchkeyServer(LATCHKEY, latchkey.idp, latchkey.fixtures),
      peerServer(PEER_REDIS.name, peers[0]!, 'codes, grants and refresh tokens in Redis'),
      peerServer(PEER_MAP.name, peers[1]!, 'codes, grants and refresh tokens in its process'),
    ];
    const answers = new Map<string, Record<Grant, string>>();
    for (const server of servers) answers.set(server.name, await describeAnswers(server));
    return { idp: latchkey.idp, redisUrl, servers, answers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
