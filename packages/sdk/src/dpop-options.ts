import { DEFAULT_DPOP_PROOF_WINDOW_SEC } from '@latchkey/protocol/jwt';
import { createMemoryReplayCache, type ReplayCache } from './logout/replay-cache.js';

/** DPoP (RFC 9449) at this resource: how proofs are checked by `verifyAccessToken`. */
export interface DpopOptions {
  /**
   * How far a proof's `iat` may lie from now, either way, in seconds; also how long its `jti`
   * is remembered. Default `60`, at most `300`.
   */
  proofWindowSec?: number;
  /**
   * Where the `jti` of each accepted proof is remembered, so the same proof is refused a second
   * time (RFC 9449 §11.1). Default: an in-memory cache of 10 000 entries for this process (only
   * proofs for genuine bound tokens reach it); with several instances behind one URL, share one
   * (`createRedisReplayCache` from `@latchkey/sdk/redis`).
   */
  replayCache?: ReplayCache;
}

export interface ResolvedDpopOptions {
  proofWindowSec: number;
  replayCache: ReplayCache;
}

export const MAX_DPOP_PROOF_WINDOW_SEC = 300;

/** Checks the options once, at construction (TypeError). */
export function resolveDpopOptions(
  options: DpopOptions | undefined,
  now: () => number,
): ResolvedDpopOptions {
  const proofWindowSec = options?.proofWindowSec ?? DEFAULT_DPOP_PROOF_WINDOW_SEC;
  if (
    typeof proofWindowSec !== 'number' ||
    !(proofWindowSec > 0 && proofWindowSec <= MAX_DPOP_PROOF_WINDOW_SEC)
  ) {
    throw new TypeError(
      `dpop.proofWindowSec must be above 0 and at most ${MAX_DPOP_PROOF_WINDOW_SEC}`,
    );
  }
  const replayCache = options?.replayCache ?? createMemoryReplayCache({ now });
  if (typeof (replayCache as Partial<ReplayCache> | null)?.remember !== 'function') {
    throw new TypeError('dpop.replayCache must have a remember function');
  }
  return { proofWindowSec, replayCache };
}
