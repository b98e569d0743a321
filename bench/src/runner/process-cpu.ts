import { readdir, readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';

/** Clock ticks per second of /proc's utime and stime: 100 on every Linux Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) of `pid` and every process under it, in µs, from /proc: a cluster's
 * primary with its workers and every thread of each. A child that has exited
 * drops out of the sum, so measure a tree whose members live through the measurement.
 * Undefined where /proc cannot tell (not Linux, or the process is gone).
 */
export async function treeCpuMicros(pid: number): Promise<number | undefined> {
  if (pid <= 0) return undefined;
  let ticks = 0;
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const stat = await readFile(`/proc/${next}/stat`, 'latin1').catch(() => undefined);
    if (stat === undefined && next === pid) return undefined;
    // A process that exited between listing and reading: no longer part of the tree.
    if (stat === undefined) continue;
    // Fields after the command name, which may hold spaces but ends at the last ')':
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    for (const task of await readdir(`/proc/${next}/task`).catch(() => [])) {
      const children = await readFile(`/proc/${next}/task/${task}/children`, 'latin1').catch(
        () => '',
      );
      for (const child of children.split(' ')) if (child !== '') pending.push(Number(child));
    }
  }
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}

/**
 * A Redis server's CPU time (user + system, all its threads) in µs, as it reports it (INFO
 * cpu, to the microsecond: /proc counts in 10 ms ticks, too coarse for a round of 1,000 code
 * redemptions). The connection made to ask costs Redis a few µs, outside any round's answers.
 */
export async function redisCpuMicros(url: string): Promise<number | undefined> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const info = await client.info('cpu');
    const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
    const total = seconds('used_cpu_user') + seconds('used_cpu_sys');
    return Number.isFinite(total) ? Math.round(total * 1_000_000) : undefined;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}
