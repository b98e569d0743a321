import type { DemoLog } from './log.js';

/**
 * For the app's `register()` in instrumentation.ts: runs `load` (an import of the module that
 * reads the configuration and creates the SDK instance) as the server starts, so a bad
 * environment stops `next start` with one line per variable instead of a server that fails
 * every request. Next only logs a failed register() and keeps serving, hence the exit.
 */
export async function checkConfigAtStartup(
  load: () => Promise<unknown>,
  log: Pick<DemoLog, 'error'>,
): Promise<void> {
  try {
    await load();
  } catch (error) {
    log.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
