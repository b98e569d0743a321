import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './wait.js';

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

const READY = 'Ready to accept connections';
const START_TIMEOUT_MS = 5_000;

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
  let running: { child: ChildProcess; exited: Promise<void> } | null = null;

  const kill = async () => {
    const current = running;
    running = null;
    if (current) await stop(current.child, current.exited);
  };
  const start = async () => {
    await kill();
    running = await spawnRedis(chosen, args);
  };

  await start();
  return { url: `redis://127.0.0.1:${chosen}`, port: chosen, kill, start };
}

/**
 * Starts redis-server without persistence and resolves once it says it accepts connections.
 * Its own log line, rather than a probe of the port, so that another process already on the
 * port cannot pass for it.
 */
async function spawnRedis(
  port: number,
  args: string[],
): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer): void => {
      // Bounded: only the start-up lines matter, for this check and for error messages.
      if (output.length < 10_000) output += chunk.toString('utf8');
      if (output.includes(READY)) resolve();
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
    await stop(child, exited);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { child, exited };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  // No pid: it never started, and Node does not promise an 'exit' event then.
  if (child.pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited;
}
