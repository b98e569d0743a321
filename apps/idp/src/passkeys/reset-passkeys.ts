import type { Queryable } from '../db/database.js';
import { createPasskeyRepository } from './passkey-repository.js';

/**
 * `users reset-mfa USER`: removes every passkey of the user (a lost phone, a lost key) and
 * says how many there were. The user's WebAuthn handle stays: authenticators that still hold
 * a removed credential present it in vain, its id is no longer known.
 */
export function resetPasskeys(database: Queryable, userId: string): Promise<number> {
  return createPasskeyRepository(database).removeAllOfUser(userId);
}
