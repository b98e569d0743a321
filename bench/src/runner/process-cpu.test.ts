import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { treeCpuMicros } from './process-cpu.js';

const onLinux = process.platform === 'linux';

describe.runIf(onLinux)('treeCpuMicros', () => {
  it("counts a child's CPU time in its parent's tree while the child runs", async () => {
    // A child that spins for 300 ms of CPU, then waits to be killed, so that it is still in
    // the tree when measured.
    const child = spawn(
      process.execPath,
      [
        '-e',
        'const end = process.cpuUsage().user + 300_000; while (process.cpuUsage().user < end); ' +
          'process.send("spun"); setInterval(() => {}, 1000);',
      ],
      { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] },
    );
    try {
      const before = (await treeCpuMicros(process.pid))!;
      await once(child, 'message');
      const after = (await treeCpuMicros(process.pid))!;
      const own = (await treeCpuMicros(child.pid!))!;
      expect(own).toBeGreaterThanOrEqual(250_000);
      // The parent's tree holds the child's spin (and the parent's own time meanwhile).
      expect(after - before).toBeGreaterThanOrEqual(250_000);
    } finally {
      child.kill();
    }
  });

  it('tells nothing of a process that is not there', async () => {
    expect(await treeCpuMicros(-1)).toBeUndefined();
    expect(await treeCpuMicros(2 ** 22 + 1)).toBeUndefined();
  });
});
