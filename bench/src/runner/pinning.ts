import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/** Where the pinned rows' servers ran, and how to give the bench its cores back. */
export interface Pinning {
  pinned: boolean;
  /** For the rows' notes: how the cores were shared. */
  where: string;
  /** The bench process, the servers and Redis back on every core. */
  release(): Promise<void>;
}

/**
 * Servers on core 0, everything else on the other cores: each server with every thread
 * (`taskset -a`: libuv's pool too), the bench process and the Redis servers given on 1-(n-1).
 * The load generator must be spawned after this: a child inherits the bench's cores when it
 * starts, which is how it lands off core 0. Without a second core or taskset nothing is pinned
 * and `where` says so.
 */
export async function pinServersToCoreZero(
  serverPids: readonly number[],
  redisUrls: readonly string[],
): Promise<Pinning> {
  const cores = availableParallelism();
  const others = `1-${cores - 1}`;
  let pinned = cores > 1;
  for (const pid of serverPids) pinned = pinned && (await pin(pid, '0'));
  if (!pinned) {
    // Some may have been pinned before one failed: all back, so that no side is favoured.
    for (const pid of serverPids) await pin(pid, `0-${cores - 1}`);
    return {
      pinned: false,
      where:
        'not pinned (one core, or no taskset): servers, load generator and Redis share the cores',
      release: () => Promise.resolve(),
    };
  }
  await pin(process.pid, others);
  const redisPids = await Promise.all(redisUrls.map(redisPid));
  for (const pid of redisPids) await pin(pid, others);
  return {
    pinned: true,
    where: `each server pinned to core 0 (taskset -a); load generator, Redis and bench on ${others}`,
    release: async () => {
      for (const pid of [process.pid, ...serverPids, ...redisPids])
        await pin(pid, `0-${cores - 1}`);
    },
  };
}

/** Every thread of `pid` on `cores` (a taskset list); false when taskset is missing or fails. */
export async function pin(pid: number, cores: string): Promise<boolean> {
  if (pid <= 0) return false;
  try {
    await run('taskset', ['-a', '-p', '-c', cores, String(pid)]);
    return true;
  } catch {
    return false;
  }
}

/** The process id a Redis server reports for itself (INFO server). */
export async function redisPid(url: string): Promise<number> {
  const client = new Redis(url);
  try {
    return Number(/^process_id:(\d+)/m.exec(await client.info('server'))?.[1] ?? -1);
  } finally {
    client.disconnect();
  }
}
