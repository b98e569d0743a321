/**
 * A JSON record read back from the store, or null when it is not one of the expected shape.
 * The store outlives a release and is shared with operators' tools, so a value that does not
 * parse or lacks a field counts as absent (the caller's "unknown"), never as a crash.
 */
export function parseStoredRecord<T extends object>(
  raw: string,
  hasShape: (value: Partial<T>) => boolean,
): T | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  return hasShape(value) ? (value as T) : null;
}
