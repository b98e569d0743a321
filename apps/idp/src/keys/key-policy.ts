import type { Config } from '../config/config.js';
import type { KeyPolicy } from './key-lifecycle.js';

/** Clock skew a verifier may allow; retired keys stay published this much longer. */
const SKEW_MARGIN_MS = 5 * 60_000;

/** The key policy that follows from the configuration. */
export function keyPolicyFor(config: Config): KeyPolicy {
  return {
    // OIDC Core §15.1 requires RS256 for ID tokens; access tokens use the configured alg.
    algorithms: [...new Set(['RS256', config.accessTokenAlg] as const)],
    rotationIntervalMs: config.keyRotationIntervalMs,
    retentionMs:
      Math.max(config.accessTokenTtlMs, config.idTokenTtlMs) +
      config.jwksMaxAgeSec * 1000 +
      SKEW_MARGIN_MS,
  };
}
