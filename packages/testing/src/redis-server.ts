import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './wait.js';
import { spawnRedis, stopRedis, type RedisProcess } from './redis-process.js';

/** A private redis-server on a free loopback port, so tests never share state. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL, as a crash: no clean shutdown, connections just drop. Resolves once it is gone. */
  kill(): Promise<void>;
  /**
   * Starts it again on the same port: empty (it keeps nothing on disk), or, when started with
   * `persistent`, with every write it acknowledged before the kill.
   */
  start(): Promise<void>;
}

export interface TestRedisOptions {
  /**
   * Keep data across kill() and start(), as a production Redis with an append-only file
   * does: every write is fsynced before it is acknowledged, so a SIGKILL loses nothing that
   * was acknowledged. In a fresh temporary directory.
   */
  persistent?: boolean;
  /** More redis-server arguments, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  args?: readonly string[];
}

export async function startTestRedis(
  port?: number,
  options: TestRedisOptions = {},
): Promise<TestRedis> {
  const chosen = port ?? (await freePort());
  const persistence = options.persistent
    ? [
        '--dir',
        mkdtempSync(join(tmpdir(), 'latchkey-redis-')),
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ]
    : ['--appendonly', 'no'];
  const args = [...persistence, ...(options.args ?? [])];
  let running: RedisProcess | null = null;

  const kill = async () => {
    const current = running;
    running = null;
    if (current) await stopRedis(current);
  };
  const start = async () => {
    await kill();
    running = await spawnRedis(chosen, args);
  };

  await start();
  return { url: `redis://127.0.0.1:${chosen}`, port: chosen, kill, start };
}
