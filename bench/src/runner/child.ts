import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A child process the bench started, with its output kept for error messages. */
export interface Child {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code; SIGKILL after `graceMs` if it does not go. */
  stop(graceMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

const KEEP_OUTPUT = 20_000;

/** Starts `node [nodeArgs] script [args]` with an IPC channel. */
export function spawnNode(
  script: string,
  options: { args?: string[]; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Child {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), script, ...(options.args ?? [])],
    {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  return {
    process: child,
    output: () => output,
    exited,
    async stop(graceMs = 3_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A TypeScript file of this package, run through tsx. */
export function spawnTs(
  relativeToSrc: string,
  options: { args?: string[]; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Child {
  const script = fileURLToPath(new URL(`../${relativeToSrc}`, import.meta.url));
  return spawnNode(script, {
    ...options,
    nodeArgs: ['--import', 'tsx', ...(options.nodeArgs ?? [])],
  });
}

/**
 * The first IPC message that `accept` takes, or an error after `timeoutMs` or on exit. An
 * `accept` that throws (a message saying the child failed) rejects with that error.
 */
export function nextMessage<T>(
  child: Child,
  accept: (message: unknown) => message is T,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      try {
        if (!accept(message)) return;
        cleanup();
        resolve(message);
      } catch (error) {
        cleanup();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`child exited (${code}) before answering:\n${child.output()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no answer from the child within ${timeoutMs} ms:\n${child.output()}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.process.off('message', onMessage);
      child.process.off('exit', onExit);
    };
    child.process.on('message', onMessage);
    child.process.once('exit', onExit);
  });
}
