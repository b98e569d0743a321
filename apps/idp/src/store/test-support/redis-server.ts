import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { waitFor } from './wait.js';

/** A throwaway redis-server on 127.0.0.1 that a test may kill and restart at will. */
export interface RedisServerProcess {
  readonly port: number;
  /** SIGKILL, as a crash: no clean shutdown, connections just drop. Resolves once it is gone. */
  kill(): Promise<void>;
}

/** Starts redis-server without persistence and resolves once it accepts connections. */
export async function startRedisServer(port: number): Promise<RedisServerProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailure = new Promise<never>((_, reject) =>
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error('redis-server is not on PATH; install Redis to run this test (CI does)')
          : error,
      ),
    ),
  );
  try {
    await Promise.race([
      spawnFailure,
      waitFor(`redis-server to listen on port ${port}`, () => accepts(port), {
        timeoutMs: 5_000,
        intervalMs: 20,
      }),
    ]);
  } catch (error) {
    await stop(child, exited);
    throw error;
  }
  return { port, kill: () => stop(child, exited) };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  // No pid: it never started, and Node does not promise an 'exit' event then.
  if (child.pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
