import argon2 from 'argon2';
import { createSlots, HASHING_SLOTS } from './hashing-slots.js';

/**
 * OWASP Password Storage Cheat Sheet, Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
 * argon2 runs on libuv's thread pool, so a verification (tens of milliseconds on purpose)
 * never blocks the event loop.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

const hashing = createSlots(HASHING_SLOTS);

/** Hashes a password into an Argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
export function hashPassword(password: string): Promise<string> {
  return hashing(() => argon2.hash(password, ARGON2_OPTIONS));
}

/** True for an Argon2id PHC string, the only kind of hash the IdP accepts from USERS_FILE. */
export function isArgon2idHash(value: string): boolean {
  return /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.test(value);
}

// Computed once, on first use: an unknown user costs the same Argon2 work as a known one.
let dummyHash: Promise<string> | undefined;

/**
 * Checks `password` against `hash`, or against a dummy hash when there is no user, so that a
 * wrong username and a wrong password take the same time (no user enumeration by timing).
 * A malformed stored hash counts as a mismatch, never as an exception.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('latchkey-dummy-password-for-unknown-users');
  const target = hash ?? (await dummyHash);
  try {
    const matches = await hashing(() => argon2.verify(target, password));
    return hash !== null && matches;
  } catch {
    return false;
  }
}
