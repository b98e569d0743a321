import type { Revoker } from '../sessions/revoker.js';
import { hashPassword } from '../users/password-hash.js';
import { normalisePassword } from '../users/password-policy.js';
import type { UserRepository } from '../users/user.js';
import type { PasswordSetter } from './account-deps.js';

/** Until users/account-lifecycle.ts lands: hash, save, end the other sessions. */
export function provisionalPasswordSetter(deps: {
  users: UserRepository;
  revoker: Revoker;
}): PasswordSetter {
  return {
    async setPassword(userId, password, { keepSid }) {
      const user = await deps.users.findById(userId);
      if (!user) throw new Error('no such user');
      const passwordHash = await hashPassword(normalisePassword(password));
      await deps.users.save({ ...user, passwordHash });
      await deps.revoker.revokeOtherSessions(userId, keepSid, 'signed_out_elsewhere');
    },
  };
}
