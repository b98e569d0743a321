import {
  encodeRevocationMember,
  encodeRevocationNotice,
  revocationKeys,
  type Revocation,
} from '@latchkey/protocol';
import type { Cluster, Redis } from 'ioredis';

/** Records a revocation exactly as the IdP's revoker does: into the set, then published. */
export async function writeRevocation(
  redis: Redis | Cluster,
  revocation: Revocation,
  revokedAt: number = Date.now(),
): Promise<void> {
  await redis.zadd(revocationKeys.set, revocation.expiresAt, encodeRevocationMember(revocation));
  const notice = encodeRevocationNotice(revocation, revokedAt);
  if (redis.isCluster) {
    // As the IdP's store does on a cluster: through the master serving the channel's slot.
    await redis.eval(PUBLISH_SCRIPT, 1, revocationKeys.channel, notice);
  } else await redis.publish(revocationKeys.channel, notice);
}

/** PUBLISH keyed by the channel, so that a cluster runs it on the master serving its slot. */
export const PUBLISH_SCRIPT = "return redis.call('PUBLISH', KEYS[1], ARGV[1])";

/** What `check` did: accepted, or the code of the error it threw. */
export function outcome(check: () => void): string {
  try {
    check();
    return 'valid';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
