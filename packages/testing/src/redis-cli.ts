import { execFile } from 'node:child_process';

/** One command through `redis-cli` (installed with redis-server); resolves to its raw output. */
export function redisCli(args: readonly string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'redis-cli',
      [...args],
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`redis-cli ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** A command to the server on a loopback port. */
export function redisCliAt(port: number, ...args: string[]): Promise<string> {
  return redisCli(['-h', '127.0.0.1', '-p', String(port), ...args], 5_000);
}
