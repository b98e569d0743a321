import { spawn, type ChildProcess } from 'node:child_process';

/** One running redis-server (data node or sentinel) and the promise of its exit. */
export interface RedisProcess {
  child: ChildProcess;
  exited: Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

// Every redis-server a test started and has not stopped yet. A test that fails before its
// afterAll, or a worker that exits early, must not leave servers (some of them SIGSTOPped)
// running on the machine: they are SIGKILLed, synchronously, when this process exits.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const orphan of running) {
      try {
        orphan.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

export interface SpawnRedisOptions {
  /** A configuration file, given before the other arguments (sentinels need one: they rewrite it). */
  configFile?: string;
  /** The line in its log that says it is ready. Default: data node's "Ready to accept connections". */
  readyLine?: string;
}

/**
 * Starts redis-server on `port` (loopback only, no RDB snapshots) and resolves once it says
 * it is ready. Its own log line, rather than a probe of the port, so that another process
 * already on the port cannot pass for it.
 */
export async function spawnRedis(
  port: number,
  args: readonly string[],
  options: SpawnRedisOptions = {},
): Promise<RedisProcess> {
  const readyLine = options.readyLine ?? 'Ready to accept connections';
  const child = spawn(
    'redis-server',
    [
      ...(options.configFile ? [options.configFile] : []),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  track(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer): void => {
      // Bounded: only the start-up lines matter, for this check and for error messages.
      if (output.length < 10_000) output += chunk.toString('utf8');
      if (output.includes(readyLine)) resolve();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error('redis-server is not on PATH; install Redis to run this test (CI does)')
          : error,
      ),
    );
    child.once('exit', (code, signal) =>
      reject(new Error(`redis-server exited (${code ?? signal}) before starting:\n${output}`)),
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`redis-server did not start on port ${port} in time:\n${output}`)),
      START_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([started, timeout]);
  } catch (error) {
    await stopRedis({ child, exited });
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // Later output is not read; without draining, a chatty server would block on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return { child, exited };
}

/** SIGKILL (a crash) and wait for the exit. A stopped (SIGSTOP) process dies as well. */
export async function stopRedis({ child, exited }: RedisProcess): Promise<void> {
  // No pid: it never started, and Node does not promise an 'exit' event then.
  if (child.pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited;
}
