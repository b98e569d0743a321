/**
 * Loaded into the IdP process with `--import` (the IdP's code is not changed): answers the
 * bench over the IPC channel with the event loop's delay and the process's memory.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ProbeReply, ProbeRequest } from './probe-protocol.js';

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();

process.on('message', (message: ProbeRequest) => {
  if (message.type === 'reset') delay.reset();
  if (message.gc) (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const reply: ProbeReply = {
    id: message.id,
    loopDelayMs: {
      p50: delay.percentile(50) / 1e6,
      p99: delay.percentile(99) / 1e6,
      max: delay.max / 1e6,
    },
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    cpuMicros: cpu.user + cpu.system,
  };
  process.send?.(reply);
});
// The channel must not keep the IdP alive once it has shut its server down on SIGTERM.
process.channel?.unref();
