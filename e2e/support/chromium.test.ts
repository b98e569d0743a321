import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findChromium } from './chromium.js';

const scratch = mkdtempSync(join(tmpdir(), 'latchkey-find-chromium-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function fakeBinary(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('which Chromium the browser tests launch', () => {
  const onPath = mkdtempSync(join(scratch, 'bin-'));
  const systemChromium = fakeBinary(onPath, 'chromium-browser');

  it('takes CHROMIUM_PATH first, even over a system Chromium', async () => {
    const chosen = fakeBinary(scratch, 'my-chrome');
    const found = await findChromium({ CHROMIUM_PATH: chosen, PATH: onPath });
    expect(found).toMatchObject({ path: chosen, source: 'CHROMIUM_PATH', env: {} });
  });

  it('refuses a CHROMIUM_PATH that cannot run instead of falling back', async () => {
    const notExecutable = join(scratch, 'plain-file');
    writeFileSync(notExecutable, '');
    await expect(findChromium({ CHROMIUM_PATH: notExecutable, PATH: onPath })).rejects.toThrow(
      /CHROMIUM_PATH/,
    );
    await expect(findChromium({ CHROMIUM_PATH: join(scratch, 'absent') })).rejects.toThrow();
  });

  it('takes a Chromium found on PATH next', async () => {
    const found = await findChromium({ PATH: `${scratch}/nothing-here:${onPath}` });
    expect(found).toMatchObject({ path: systemChromium, source: 'system' });
  });

  it('otherwise unpacks the npm package’s Chromium, an executable with its libraries', async () => {
    const found = await findChromium({ PATH: '' });
    expect(found.source).toBe('@sparticuz/chromium');
    expect(statSync(found.path).mode & 0o111).not.toBe(0);
    expect(statSync(found.path).size).toBeGreaterThan(50_000_000);
    const lib = found.env.LD_LIBRARY_PATH?.split(':')[0];
    if (lib !== undefined) expect(statSync(join(lib, 'libnss3.so')).isFile()).toBe(true);
    // A second call reuses the unpacked copy.
    expect((await findChromium({ PATH: '' })).path).toBe(found.path);
  });
});
