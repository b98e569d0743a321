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
  await redis.publish(revocationKeys.channel, encodeRevocationNotice(revocation, revokedAt));
}

/** What `check` did: accepted, or the code of the error it threw. */
export function outcome(check: () => void): string {
  try {
    check();
    return 'valid';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
