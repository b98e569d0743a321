/** The logging hook the adapters accept; `Logger['warn']` from ../logger.js fits. */
export type StoreLogger = (event: string, fields?: Record<string, unknown>) => void;

export const noopLogger: StoreLogger = () => {};

const MAX_TRACKED = 100;

/**
 * While Redis is down the client fails every reconnect attempt, several times a second per
 * connection; logging each one would flood the log and hide everything else. This passes
 * the first occurrence of each distinct entry (event and plain field values) through,
 * drops repeats for `intervalMs`, and reports how many were dropped on the next one let
 * through.
 */
export function rateLimitLogger(
  logger: StoreLogger,
  intervalMs = 10_000,
  now: () => number = Date.now,
): StoreLogger {
  const seen = new Map<string, { loggedAt: number; suppressed: number }>();
  return (event, fields) => {
    const key = identity(event, fields);
    const entry = seen.get(key);
    const at = now();
    if (entry && at - entry.loggedAt < intervalMs) {
      entry.suppressed += 1;
      return;
    }
    // Messages carry addresses and codes, so the set of keys is small; the cap only guards
    // against a pathological stream of distinct messages.
    if (!entry && seen.size >= MAX_TRACKED) seen.clear();
    const suppressed = entry?.suppressed ?? 0;
    seen.set(key, { loggedAt: at, suppressed: 0 });
    logger(event, suppressed > 0 ? { ...fields, suppressed } : fields);
  };
}

/** Entries that differ only in objects (an attached error, say) count as repeats. */
function identity(event: string, fields: Record<string, unknown> | undefined): string {
  const plain = Object.entries(fields ?? {}).filter(
    ([, value]) => typeof value === 'string' || typeof value === 'number',
  );
  return JSON.stringify([event, plain]);
}
