import { revocationKeys } from '@latchkey/protocol';
import type { Cluster } from 'ioredis';
import { clusterSlot } from './cluster-slot.js';

/**
 * Where the revocation subscriber listens on a Redis Cluster.
 *
 * The IdP publishes every notice through the master that serves the channel's slot (its store
 * runs PUBLISH in a script keyed by the channel). A subscriber on that node hears it from the
 * node itself. On any other node it hears it through the cluster bus, which carries PUBLISH on
 * a best-effort link between each pair of nodes and silently drops what it held when that link
 * is re-established (a node restarted, a link timed out): the subscription stays up, the
 * heartbeat answers, and a revocation is missed. So the subscriber connects to that master,
 * and the source vouches for its state only while the cluster says it still is that master.
 */
export interface SubscriberPlacement {
  /** The node, `host:port`, the subscriber connects to next (or is connected to). */
  readonly target: string;
  /**
   * Sends the subscriber's next connection to `node`: false when it already goes there.
   * Moving a connected subscriber is the caller's (a reconnect).
   */
  moveTo(node: string): boolean;
  /** The node for a reconnect: the chosen one, or while none is chosen the next seed. */
  nextTarget(): { host: string; port: number };
}

export function createSubscriberPlacement(
  seeds: readonly { host: string; port: number }[],
): SubscriberPlacement {
  let next = 0;
  let current = seeds[0]!;
  /** Whether `current` is a master the cluster named, rather than a seed tried in turn. */
  let located = false;
  const key = (node: { host: string; port: number }) => `${node.host}:${node.port}`;
  return {
    get target() {
      return key(current);
    },
    moveTo(node) {
      const moved = node !== key(current);
      current = parseNodeKey(node);
      located = true;
      return moved;
    },
    nextTarget() {
      if (!located) {
        // Nothing learnt yet (the cluster was unreachable): each retry tries another seed, so
        // that one lost node does not silence the source.
        next = (next + 1) % seeds.length;
        current = seeds[next]!;
      }
      return current;
    },
  };
}

/** The slot of the notices channel, which decides the master the IdP publishes through. */
export const NOTICES_SLOT = clusterSlot(revocationKeys.channel);

/**
 * The master serving `slot` in a `CLUSTER SLOTS` reply, as `host:port`; undefined when no
 * range covers it or its node's address is unknown (an empty host).
 */
export function slotMaster(reply: unknown, slot: number): string | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (const range of reply) {
    if (!Array.isArray(range) || range.length < 3) continue;
    const [start, end, master] = range as [unknown, unknown, unknown];
    if (typeof start !== 'number' || typeof end !== 'number' || slot < start || slot > end) {
      continue;
    }
    if (!Array.isArray(master)) return undefined;
    const [host, port] = master as [unknown, unknown];
    if (typeof host !== 'string' || host === '' || typeof port !== 'number') return undefined;
    return `${host}:${port}`;
  }
  return undefined;
}

/** Asks the cluster (any master) which master serves the notices channel now. */
export async function noticesMaster(commands: Cluster): Promise<string | undefined> {
  return slotMaster(await commands.cluster('SLOTS'), NOTICES_SLOT);
}

function parseNodeKey(node: string): { host: string; port: number } {
  const colon = node.lastIndexOf(':');
  return { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) };
}
