import type { Redis } from 'ioredis';

/** Bytes the Redis allocator holds for data (INFO memory's used_memory). */
export async function usedMemory(redis: Redis): Promise<number> {
  return infoField(await redis.info('memory'), 'used_memory');
}

/**
 * Calls of every command since the server started (INFO commandstats), summed. The INFO call
 * that reads it counts itself, so a delta between two readings is one too high: the caller
 * subtracts it (see commandsBetween).
 */
export async function commandCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) total += Number(match[1]);
  return total;
}

/** Commands the server ran between two readings, less the second reading's own INFO. */
export function commandsBetween(before: number, after: number): number {
  return after - before - 1;
}

/**
 * What Redis says one key of each kind costs (MEMORY USAGE: value, key name and the
 * dictionary entry, sampled exactly with SAMPLES 0), averaged over every key matching
 * `pattern`, found with SCAN. Resolves the number of keys too, so a caller can check it
 * measured what it created.
 */
export async function memoryPerKey(
  redis: Redis,
  pattern: string,
): Promise<{ keys: number; bytesPerKey: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  // Bounded: a private Redis of the bench holds a few thousand keys.
  for (let page = 0; page < 10_000; page += 1) {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    for (const key of found) {
      const usage = await redis.memory('USAGE', key, 'SAMPLES', 0);
      if (usage !== null) {
        keys += 1;
        bytes += Number(usage);
      }
    }
    cursor = next;
    if (cursor === '0') break;
  }
  return { keys, bytesPerKey: keys === 0 ? Number.NaN : bytes / keys };
}

function infoField(info: string, field: string): number {
  const value = new RegExp(`^${field}:(\\d+)`, 'm').exec(info)?.[1];
  if (value === undefined) throw new Error(`INFO has no ${field}`);
  return Number(value);
}
