import type { OidcPeer } from '../peers/oidc-provider.js';
import { mintCodes, type IdpFixtures } from '../services/idp-fixtures.js';
import type { BenchIdp } from '../services/idp.js';

export type MintedCode = { code: string; verifier: string };

/** A server under test for the token grants, as the grant rounds see it. */
export interface GrantServer {
  /** The contender's name in the rounds and the rows. */
  name: string;
  url: string;
  /** The process to pin (with all its threads); a cluster's primary is not pinned. */
  pid: number;
  /** Where it keeps codes and refresh tokens, for the rows' notes. */
  storage: string;
  /** Codes for `shop`, as if /authorize had run (PKCE S256, offline_access). */
  mintCodes(count: number): Promise<MintedCode[]>;
  /** Its CPU time so far in µs, where it can tell (compare-builds: one IdP process; all-cores: its process tree). */
  cpuMicros?: () => Promise<number | undefined>;
  /** The CPU time so far in µs of the Redis server it keeps its state in, where it can tell. */
  redisCpuMicros?: () => Promise<number | undefined>;
}

export function latchkeyServer(name: string, idp: BenchIdp, fixtures: IdpFixtures): GrantServer {
  return {
    name,
    url: idp.url,
    pid: idp.pid,
    storage: 'codes and refresh tokens in Redis',
    mintCodes: (count) => mintCodes(fixtures, count),
  };
}

export function peerServer(name: string, peer: OidcPeer, storage: string): GrantServer {
  return {
    name,
    url: peer.url,
    pid: peer.pid,
    storage,
    mintCodes: (count) => peer.mintCodes(count),
  };
}
