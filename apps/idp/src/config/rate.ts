import { parseDuration } from './duration.js';

/** At most `limit` requests per fixed window of `windowMs`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Reads a rate as operators write it: `600/1m`, `5/2s`; `off` or `0` disables the limit
 * (null). Undefined when the text is neither.
 */
export function parseRate(text: string): Rate | null | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off' || trimmed === '0') return null;
  const match = /^(\d{1,9})\/(.+)$/.exec(trimmed);
  if (!match) return undefined;
  const limit = Number(match[1]);
  const windowMs = parseDuration(match[2]!);
  if (limit < 1 || windowMs === null || windowMs < 1_000 || windowMs > 86_400_000) return undefined;
  return { limit, windowMs };
}
