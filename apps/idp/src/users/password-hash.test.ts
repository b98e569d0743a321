import { describe, expect, it } from 'vitest';
import { hashPassword, isArgon2idHash, verifyPassword } from './password-hash.js';

describe('password hashing (Argon2id, OWASP parameters)', () => {
  it('hashes to an Argon2id PHC string with m=19456 KiB, t=2, p=1 and a random salt', async () => {
    const [first, second] = await Promise.all([
      hashPassword('correct horse'),
      hashPassword('correct horse'),
    ]);
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(isArgon2idHash(first)).toBe(true);
    expect(first).not.toBe(second);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse');
    expect(await verifyPassword(hash, 'correct horse')).toBe(true);
    expect(await verifyPassword(hash, 'correct horsf')).toBe(false);
  });

  it('refuses every password for an unknown user (null hash), after the same Argon2 work', async () => {
    expect(await verifyPassword(null, 'latchkey-dummy-password-for-unknown-users')).toBe(false);
    expect(await verifyPassword(null, 'anything')).toBe(false);
  });

  it('treats a malformed stored hash as a mismatch, not an exception', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
    expect(isArgon2idHash('$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA')).toBe(false);
  });
});
