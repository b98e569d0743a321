/**
 * Loaded into the IdP process with `--import` (the IdP's code is not changed): answers the
 * bench over the IPC channel with the event loop's delay, the process's memory and CPU time,
 * and, between 'profile-start' and 'profile-stop', V8's sampling profile summarised as the
 * share of the process's busy samples spent in the script URLs the bench names.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ProbeReply, ProbeRequest } from './probe-protocol.js';
import { profileCategories } from './profile-categories.js';
import { profileShares, type CpuProfile } from './profile-shares.js';

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let inspector: Session | undefined;

async function answer(message: ProbeRequest): Promise<ProbeReply> {
  if (message.type === 'reset') delay.reset();
  if (message.gc) (globalThis as { gc?: () => void }).gc?.();
  let shares: Record<string, number> | undefined;
  let categories: Record<string, number> | undefined;
  if (message.type === 'profile-start') {
    inspector = new Session();
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  } else if (message.type === 'profile-stop' && inspector) {
    const { profile } = (await inspector.post('Profiler.stop')) as { profile: CpuProfile };
    inspector.disconnect();
    inspector = undefined;
    shares = profileShares(profile, message.patterns ?? []);
    if (message.categorise) categories = profileCategories(profile);
    if (message.saveTo) await writeFile(message.saveTo, JSON.stringify(profile));
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    id: message.id,
    loopDelayMs: {
      p50: delay.percentile(50) / 1e6,
      p99: delay.percentile(99) / 1e6,
      max: delay.max / 1e6,
    },
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    cpuMicros: cpu.user + cpu.system,
    ...(shares && { shares }),
    ...(categories && { categories }),
  };
}

process.on('message', (message: ProbeRequest) => {
  void answer(message).then((reply) => process.send?.(reply));
});
// The channel must not keep the IdP alive once it has shut its server down on SIGTERM.
process.channel?.unref();
