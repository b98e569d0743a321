/** How one POST ended, before any decision on it. */
export type AttemptResult =
  | { readonly type: 'answered'; readonly status: number }
  /** No answer: connection refused, reset, timed out, name not found. */
  | { readonly type: 'unreachable'; readonly reason: string }
  /** Not sent at all: the target is not allowed (not http(s), or not loopback under the guard). */
  | { readonly type: 'blocked'; readonly reason: string };

export type Verdict = 'delivered' | 'retry' | 'give_up';

/**
 * What to do after an attempt. Recoverable: no answer, 5xx, 429 and 408 (the receiver or the
 * path to it is having a bad moment). Not: any other 4xx (the receiver refuses this message,
 * e.g. 400 for a token it finds invalid; sending it again changes nothing) and 3xx (redirects
 * are never followed: the target is registered, and a redirect could point anywhere).
 */
export function verdictFor(result: AttemptResult, accepts: (status: number) => boolean): Verdict {
  if (result.type === 'blocked') return 'give_up';
  if (result.type === 'unreachable') return 'retry';
  if (accepts(result.status)) return 'delivered';
  const { status } = result;
  if (status >= 500 || status === 429 || status === 408) return 'retry';
  return 'give_up';
}

export const acceptsAny2xx = (status: number): boolean => status >= 200 && status < 300;

/** A short text for the row and the log: never the body sent, which may hold a token. */
export function describeResult(result: AttemptResult): string {
  return result.type === 'answered' ? `HTTP ${result.status}` : `${result.type}: ${result.reason}`;
}
