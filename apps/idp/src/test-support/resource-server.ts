import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../test/fixtures/resource-server.mjs', import.meta.url));

/** An API in another process that accepts Latchkey access tokens (see the fixture). */
export interface ResourceServer {
  url: string;
  /** GET with the token as a bearer: the status the SDK's middleware answered. */
  statusFor(accessToken: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startResourceServer(env: {
  ISSUER: string;
  JWKS_URI: string;
  AUDIENCE: string;
  REDIS_URL: string;
  MAX_STALENESS_MS?: string;
}): Promise<ResourceServer> {
  const child = spawn(process.execPath, [SCRIPT], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`resource server did not start:\n${output}`)),
      15_000,
    );
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /\{"port":(\d+)\}/.exec(output);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`resource server exited (${code}):\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async statusFor(accessToken) {
      const response = await fetch(url, { headers: { Authorization: `Bearer ${accessToken}` } });
      await response.arrayBuffer();
      return response.status;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
