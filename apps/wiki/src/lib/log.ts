/**
 * The app's one way to the server log: `next start` forwards stdout/stderr as the log stream,
 * and the SDK takes this as its logger too.
 */
export const log = {
  warn(message: string, fields?: Record<string, unknown>): void {
    const detail = fields === undefined ? '' : ` ${JSON.stringify(fields)}`;
    // eslint-disable-next-line no-console -- the console is the server log of a Next app
    console.warn(`[wiki] ${message}${detail}`);
  },
  error(message: string): void {
    // eslint-disable-next-line no-console -- the console is the server log of a Next app
    console.error(`[wiki] ${message}`);
  },
};
