import { nextMessage, spawnTs, type Child } from './child.js';
import type { LoadConfig, LoadResult } from './load-protocol.js';

/** autocannon in its own process, kept for several runs. */
export interface LoadGenerator {
  /**
   * One bounded run: the child stops after `durationSec` (or when its bodies run out), and
   * the run fails if no answer came 20 s after that.
   */
  run(config: LoadConfig): Promise<LoadResult>;
  close(): Promise<void>;
}

export function startLoadGenerator(): LoadGenerator {
  let child: Child | undefined;
  return {
    async run(config) {
      child ??= spawnTs('runner/load-child.ts');
      const current = child;
      current.process.send(config);
      const reply = await nextMessage(
        current,
        (message): message is LoadResult | { error: string } =>
          typeof message === 'object' && message !== null,
        (config.durationSec + 20) * 1000,
      ).catch(async (error: unknown) => {
        // A child that missed its bound is not reused.
        child = undefined;
        await current.stop(1_000);
        throw error;
      });
      if ('error' in reply) throw new Error(`load generator failed: ${reply.error}`);
      return reply;
    },
    async close() {
      await child?.stop(1_000);
      child = undefined;
    },
  };
}
