import type { Redis } from 'ioredis';

/** Bytes and keys of one kind of key (its name with the ids taken out). */
export interface KindFootprint {
  keys: number;
  bytes: number;
}

export interface RedisFootprint {
  /** INFO memory's used_memory: everything, allocator overhead and buffers included. */
  usedMemory: number;
  byKind: Map<string, KindFootprint>;
}

/**
 * The kind of a key: its segments with anything that looks like an id, a digest or a token
 * replaced by `*` (`latchkey:session:Zx9…` → `latchkey:session:*`), so that the figures do not
 * depend on the names other modules give their keys, hash tags included.
 */
export function keyKind(key: string): string {
  return key
    .split(':')
    .map((segment) =>
      /^\{.*\}$/.test(segment) || segment.length >= 16 || /\d/.test(segment) ? '*' : segment,
    )
    .join(':');
}

/** Every key's MEMORY USAGE (exact: SAMPLES 0), summed by kind, and used_memory. */
export async function redisFootprint(redis: Redis): Promise<RedisFootprint> {
  const byKind = new Map<string, KindFootprint>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const bytes = Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
      const kind = keyKind(key);
      const entry = byKind.get(kind) ?? { keys: 0, bytes: 0 };
      byKind.set(kind, { keys: entry.keys + 1, bytes: entry.bytes + bytes });
    }
  } while (cursor !== '0');
  const info = await redis.info('memory');
  const usedMemory = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
  return { usedMemory, byKind };
}

/** What changed between two footprints, by kind; kinds that did not change are left out. */
export function footprintDelta(
  before: RedisFootprint,
  after: RedisFootprint,
): { usedMemory: number; byKind: Map<string, KindFootprint> } {
  const byKind = new Map<string, KindFootprint>();
  for (const kind of new Set([...before.byKind.keys(), ...after.byKind.keys()])) {
    const a = before.byKind.get(kind) ?? { keys: 0, bytes: 0 };
    const b = after.byKind.get(kind) ?? { keys: 0, bytes: 0 };
    if (a.keys !== b.keys || a.bytes !== b.bytes) {
      byKind.set(kind, { keys: b.keys - a.keys, bytes: b.bytes - a.bytes });
    }
  }
  return { usedMemory: after.usedMemory - before.usedMemory, byKind };
}

/** INFO commandstats: calls per command (`get`, `evalsha`, …). */
export async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1]!, Number(match[2]));
  }
  return calls;
}

/**
 * The bench's own look-ups, not the IdP's work. The footprint's SCAN and MEMORY USAGE run
 * outside the counted window; INFO itself is counted by the server as it answers.
 */
const OWN_COMMANDS = new Set(['info', 'scan', 'memory', 'memory|usage']);

export function callsDelta(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [command, calls] of after) {
    if (OWN_COMMANDS.has(command)) continue;
    const grown = calls - (before.get(command) ?? 0);
    if (grown > 0) delta.set(command, grown);
  }
  return delta;
}
