import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One process at a time in an embedded database folder. PGlite takes no lock of its own, and
 * a second process that opens a folder in use (an operator's command beside a running IdP)
 * gets its own copy of the database in memory: measured here, its writes were silently lost
 * when the first process wrote on, and once the folder was left unopenable ("Aborted()").
 * So whoever opens a folder writes its pid into `latchkey.lock` first (created exclusively),
 * and a live pid there refuses every other opener with a clear error.
 */
export const LOCK_FILE = 'latchkey.lock';

export class DatabaseFolderBusyError extends Error {
  readonly code = 'ERR_DATABASE_FOLDER_BUSY';
  constructor(folder: string, pid: number) {
    super(
      `the embedded database folder ${folder} is in use by process ${pid} (a running IdP?): ` +
        'stop it first, or give every process one PostgreSQL server (DATABASE_URL=postgres://…). ' +
        `If no such process runs, delete ${join(folder, LOCK_FILE)}`,
    );
    this.name = 'DatabaseFolderBusyError';
  }
}

/** Folders this process holds: its own pid in a lock file is stale unless listed here. */
const held = new Set<string>();

/** Takes the folder (an absolute path); the returned function gives it back. */
export async function lockFolder(folder: string): Promise<() => Promise<void>> {
  const path = join(folder, LOCK_FILE);
  if (held.has(folder)) throw new DatabaseFolderBusyError(folder, process.pid);
  // Two tries: the second after removing a lock left by a process that has ended.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600);
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      held.add(folder);
      return async () => {
        held.delete(folder);
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new DatabaseFolderBusyError(folder, pid);
    }
    // Unreadable, ours from an earlier life (a container restarted with the same pid), or
    // of a process that has ended: stale.
    await unlink(path).catch(() => undefined);
  }
  throw new Error(`could not take ${path}: another process keeps creating it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
