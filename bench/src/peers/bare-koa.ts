import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@latchkey/testing';
import { nextMessage, spawnTs } from '../runner/child.js';
import { isPeerReady } from './peer-protocol.js';

export interface BareKoa {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the bare Koa baseline serving `jwks` (the IdP's document, byte for byte). */
export async function startBareKoa(jwks: Buffer): Promise<BareKoa> {
  const file = join(tmpdir(), `latchkey-bench-jwks-${process.pid}.json`);
  await writeFile(file, jwks);
  const port = await freePort();
  const child = spawnTs('peers/bare-koa-server.ts', { args: [String(port), file] });
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
