import {
  spawnRedis,
  stopRedis,
  type RedisProcess,
  type SpawnRedisOptions,
} from './redis-process.js';

/** One server of a test topology (a cluster node, a Sentinel-managed node, or a sentinel). */
export interface TestRedisNode {
  readonly port: number;
  /** What it was started as; a failover may since have changed a data node's role. */
  readonly initialRole: 'master' | 'replica' | 'sentinel';
  /** Whether its process is running (paused counts as running). */
  readonly running: boolean;
  /** SIGKILL, as a crash. Resolves once it is gone. */
  kill(): Promise<void>;
  /**
   * SIGSTOP: the process stays, its sockets stay open, nothing answers, as when a network
   * partition cuts it off. `resume()` (SIGCONT) ends the "partition".
   */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port, in the same folder (a cluster node keeps its identity). */
  start(): Promise<void>;
}

/** A node whose arguments can depend on the moment it is (re)started. */
export function redisNode(
  port: number,
  initialRole: TestRedisNode['initialRole'],
  args: () => Promise<readonly string[]> | readonly string[],
  options: SpawnRedisOptions = {},
): TestRedisNode & { close(): Promise<void> } {
  let current: RedisProcess | null = null;
  const signal = (name: NodeJS.Signals): void => {
    if (current?.child.exitCode === null && current.child.signalCode === null) {
      current.child.kill(name);
    }
  };
  const kill = async (): Promise<void> => {
    const process = current;
    current = null;
    if (process) await stopRedis(process);
  };
  return {
    port,
    initialRole,
    get running() {
      return current !== null;
    },
    kill,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    async start() {
      await kill();
      current = await spawnRedis(port, await args(), options);
    },
    close: kill,
  };
}
