import type { NewUser } from '../users/user.js';

/**
 * Users for the directory's contract suites: each call a new id (`<prefix>-N`) and username
 * (`<name>N`), role `user`, and a hash of Argon2id's shape that no test verifies; `overrides`
 * replace any field.
 */
export function newUserFactory(
  prefix: string,
  name: string,
): (overrides?: Partial<NewUser>) => NewUser {
  let serial = 0;
  return (overrides = {}) => {
    serial += 1;
    return {
      id: `${prefix}-${serial}`,
      username: `${name}${serial}`,
      passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$hash${serial}`,
      roles: ['user'],
      ...overrides,
    };
  };
}
