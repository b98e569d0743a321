import { log } from './log';

/**
 * Loads the configuration and the SDK instance as the server starts, so a bad environment
 * stops `next start` with one line per variable instead of a server that fails every request.
 * Next only logs a failed register() and keeps serving, hence the exit.
 */
export async function checkConfigAtStartup(): Promise<void> {
  try {
    await import('./latchkey');
  } catch (error) {
    log.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
