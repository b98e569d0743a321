import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@latchkey/testing';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** A real IdP process (the built dist/main.js) on a free loopback port. */
export interface IdpProcess {
  url: string;
  /** The process id, to sample its memory or check that it is still the same process. */
  pid: number;
  /** Everything it printed, for assertions on logs and for failure messages. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startIdp(
  env: Record<string, string>,
  options: { ready?: boolean } = {},
): Promise<IdpProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      ISSUER: 'http://idp.localhost:4000',
      LOG_LEVEL: 'info',
      // Keeps nothing and needs no server; a test names another database when it needs one.
      DATABASE_URL: 'pglite://memory',
      // Production mode requires mail to be named; nothing answers there unless a test does.
      SMTP_URL: 'smtp://127.0.0.1:1025',
      MAIL_FROM: 'no-reply@idp.localhost',
      // Back-channel logout tokens and other deliveries reach loopback addresses only.
      DELIVERY_LOOPBACK_ONLY: 'true',
      // One process unless a test asks for workers (on a database server the default would
      // be one per core, and a test's assertions on pid and output assume one).
      IDP_WORKERS: '1',
      ...env,
      IDP_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const process_: IdpProcess = {
    url,
    pid: child.pid ?? -1,
    output: () => output,
    kill: (signal) => stop(child, signal),
  };
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`IdP exited with ${code}`))),
  );
  exited.catch(() => undefined);
  try {
    const path = options.ready === false ? 'healthz' : 'readyz';
    await Promise.race([
      exited,
      waitFor(`IdP at ${url}`, async () => (await fetch(`${url}/${path}`)).ok, {
        // An embedded PostgreSQL starts in 2-6 s here, but took over 20 s with the 2 cores
        // busy with other test files (a CI run).
        timeoutMs: 45_000,
        intervalMs: 25,
      }),
    ]);
  } catch (error) {
    await stop(child);
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return process_;
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/**
 * Runs a built entry point to its end (`main.js` that refuses to start, `cli/keys.js`).
 * `input` is written to its standard input (a password for `users`); without it, stdin is
 * empty.
 */
export function runScript(
  script: 'main.js' | 'cli/keys.js' | 'cli/sessions.js' | 'cli/db.js' | 'cli/users.js',
  args: string[],
  env: Record<string, string>,
  input?: string | Buffer,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const path = fileURLToPath(new URL(`../../dist/${script}`, import.meta.url));
    const child = spawn(process.execPath, [path, ...args], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: 'pglite://memory',
        SMTP_URL: 'smtp://127.0.0.1:1025',
        MAIL_FROM: 'no-reply@idp.localhost',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A command that stops reading early (input too long) closes the pipe: not a test error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export const runKeysCommand = (args: string[], env: Record<string, string>) =>
  runScript('cli/keys.js', args, env);

export const runSessionsCommand = (args: string[], env: Record<string, string>) =>
  runScript('cli/sessions.js', args, env);

export const runUsersCommand = (
  args: string[],
  env: Record<string, string>,
  input?: string | Buffer,
) => runScript('cli/users.js', args, env, input);
