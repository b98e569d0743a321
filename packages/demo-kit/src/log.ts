/** Where a demo app's server-side messages go; the SDK takes the same shape as its logger. */
export interface DemoLog {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string): void;
}

/**
 * The app's one way to the server log: `next start` forwards stdout/stderr as the log stream.
 * Each line starts with `[app]` so that the shop's and the wiki's lines can be told apart when
 * `pnpm demo` interleaves them.
 */
export function createLog(app: string): DemoLog {
  return {
    warn(message, fields) {
      const detail = fields === undefined ? '' : ` ${JSON.stringify(fields)}`;
      // eslint-disable-next-line no-console -- the console is the server log of a Next app
      console.warn(`[${app}] ${message}${detail}`);
    },
    error(message) {
      // eslint-disable-next-line no-console -- the console is the server log of a Next app
      console.error(`[${app}] ${message}`);
    },
  };
}
