import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@latchkey/testing';
import { nextMessage, spawnTs } from '../runner/child.js';
import { isPeerReady } from './peer-protocol.js';

/** A baseline server in a process of its own: bare Koa, or the signing floor. */
export interface BaselineServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the bare Koa baseline serving `jwks` (the IdP's document, byte for byte). */
export async function startBareKoa(jwks: Buffer): Promise<BaselineServer> {
  const file = join(tmpdir(), `latchkey-bench-jwks-${process.pid}.json`);
  await writeFile(file, jwks);
  return startBaseline('peers/bare-koa-server.ts', [file]);
}

/** The signing floor as the rows name it (cases 4 and all-cores). */
export const SIGNING_FLOOR = { name: 'signing-floor', label: 'node:http, check and sign only' };

/**
 * Starts the signing floor (peers/signing-floor-server.ts): plain node:http reading the form,
 * checking the secret and signing the same ES256 access token, nothing else; in `workers`
 * processes under Node's cluster when more than one.
 */
export function startSigningFloor(workers = 1): Promise<BaselineServer> {
  return startBaseline('peers/signing-floor-server.ts', [String(workers)]);
}

async function startBaseline(script: string, args: string[]): Promise<BaselineServer> {
  const port = await freePort();
  const child = spawnTs(script, { args: [String(port), ...args] });
  try {
    const ready = await nextMessage(child, isPeerReady, 20_000);
    return {
      url: ready.url,
      pid: child.process.pid ?? -1,
      stop: async () => void (await child.stop()),
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
