import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPgliteDatabase } from './pglite-database.js';
import { LOCK_FILE } from './pglite-folder-lock.js';

/**
 * One process at a time in an embedded database folder: the lock is taken before PGlite reads
 * the folder, refused while its holder lives, and taken over once it has ended.
 */
let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'latchkey-lock-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A process that lives until killed; its pid stands for "an IdP holding the folder". */
function otherProcess(): { pid: number; stop: () => Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return {
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

async function endedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('the embedded database folder lock', { timeout: 60_000 }, () => {
  it('holds the folder while open (mode 0600, our pid), and gives it back on close', async () => {
    const db = await openPgliteDatabase(folder);
    const lock = join(folder, LOCK_FILE);
    expect(await readFile(lock, 'utf8')).toBe(`${process.pid}\n`);
    expect((await stat(lock)).mode & 0o777).toBe(0o600);
    await expect(openPgliteDatabase(folder)).rejects.toMatchObject({
      code: 'ERR_DATABASE_FOLDER_BUSY',
    });
    await db.query('CREATE TABLE kept (n int)');
    await db.close();
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });

    const again = await openPgliteDatabase(folder);
    expect(await again.query('SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 0 }]);
    await again.close();
  });

  it('refuses while another live process holds it, naming that process', async () => {
    const holder = otherProcess();
    try {
      await writeFile(join(folder, LOCK_FILE), `${holder.pid}\n`);
      await expect(openPgliteDatabase(folder)).rejects.toThrow(`in use by process ${holder.pid}`);
    } finally {
      await holder.stop();
    }
    // Its holder gone, the lock is stale: taken over.
    const db = await openPgliteDatabase(folder);
    expect(await readFile(join(folder, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    await db.close();
  });

  it('takes over a lock that is stale: of an ended process, our own earlier life, unreadable', async () => {
    const lock = join(folder, LOCK_FILE);
    for (const content of [`${await endedPid()}\n`, `${process.pid}\n`, 'not a pid', '']) {
      await writeFile(lock, content);
      const db = await openPgliteDatabase(folder);
      expect(await readFile(lock, 'utf8')).toBe(`${process.pid}\n`);
      await db.close();
    }
  });
});
