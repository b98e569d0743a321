/**
 * Runs once as the server starts. Next builds this file for the Edge runtime too; the test
 * lets the bundler leave the Node-only start-up checks out of that build.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { checkConfigAtStartup } = await import('./lib/startup-check');
    await checkConfigAtStartup();
  }
}
