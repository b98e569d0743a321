import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const KEYS_CLI = fileURLToPath(new URL('../../dist/cli/keys.js', import.meta.url));

/** The operator's `keys` command as a process the test may SIGKILL at any moment. */
export interface KeysCommandProcess {
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | string>;
  kill(): void;
}

export function spawnKeysCommand(args: string[], env: Record<string, string>): KeysCommandProcess {
  const child = spawn(process.execPath, [KEYS_CLI, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: 'ignore',
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** A small seeded generator, so that a failing run can be repeated with its printed seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}
