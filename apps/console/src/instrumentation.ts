import { checkConfigAtStartup } from '@latchkey/demo-kit/startup-check';
import { log } from './lib/log';

/**
 * Runs once as the server starts: a bad environment stops `next start`. Next builds this file
 * for the Edge runtime too; the test lets the bundler leave the Node-only check out of that.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await checkConfigAtStartup(() => import('./lib/latchkey'), log);
  }
}
