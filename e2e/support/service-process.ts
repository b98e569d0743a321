import { spawn } from 'node:child_process';

/** A long-running process the tests started (the IdP, a Next.js server), with its output. */
export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** True once it has exited, for whatever reason. */
  exited(): boolean;
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

// Next.js logs little, but a test that loops over pages should not grow memory without bound.
const MAX_OUTPUT = 2_000_000;

export function startService(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): ServiceProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stopping it also stops anything it forked.
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  child.once('error', (error) => collect(Buffer.from(`[spawn error] ${error.message}\n`)));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  return {
    name,
    pid: child.pid ?? -1,
    output: () => output,
    exited: () => hasExited() || child.pid === undefined,
    async stop(graceMs = 5_000) {
      if (child.pid === undefined) return;
      if (!hasExited()) signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await closed;
      clearTimeout(timer);
      signalGroup('SIGKILL');
    },
  };
}

/** Runs a command to its end and returns what it printed (the IdP's operator CLI). */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 20_000,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error) => resolve({ code: null, output: error.message }));
    child.once('close', (code) => resolve({ code, output }));
  });
}
