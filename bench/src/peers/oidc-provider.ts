import { freePort } from '@latchkey/testing';
import { nextMessage, spawnTs } from '../runner/child.js';
import { isPeerReady, type MintCodesRequest, type MintedCodes } from './peer-protocol.js';

export interface OidcPeer {
  url: string;
  /** The server process; with workers, the cluster's primary. */
  pid: number;
  /** Authorization codes for `shop`, as if /authorize had run (PKCE S256, offline_access). */
  mintCodes(count: number): Promise<MintedCodes['codes']>;
  stop(): Promise<void>;
}

/**
 * oidc-provider in its own process; with `redisUrl`, its codes, grants and tokens are kept in
 * that Redis (redis-adapter.ts), else in a Map in its process. With `workers` (above 1, Redis
 * required) it runs under Node's cluster module with that many worker processes.
 */
export async function startOidcProvider(
  options: { redisUrl?: string; workers?: number } = {},
): Promise<OidcPeer> {
  const port = await freePort();
  const workers = options.workers ?? 1;
  if (workers > 1 && !options.redisUrl) {
    throw new TypeError('oidc-provider workers need redisUrl: a Map is not shared between them');
  }
  const args = [String(port), ...(options.redisUrl ? [options.redisUrl] : [])];
  const child =
    workers > 1
      ? spawnTs('peers/oidc-provider-cluster.ts', { args: [...args, String(workers)] })
      : spawnTs('peers/oidc-provider-server.ts', { args });
  let ready;
  try {
    ready = await nextMessage(child, isPeerReady, 30_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  let nextId = 0;
  return {
    url: ready.url,
    pid: child.process.pid ?? -1,
    async mintCodes(count) {
      const id = (nextId += 1);
      const request: MintCodesRequest = { type: 'mint-codes', id, count };
      child.process.send(request);
      const reply = await nextMessage(
        child,
        (message): message is MintedCodes =>
          (message as MintedCodes | null)?.type === 'codes' && (message as MintedCodes).id === id,
        60_000,
      );
      return reply.codes;
    },
    stop: async () => void (await child.stop()),
  };
}
