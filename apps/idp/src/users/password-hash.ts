import argon2 from 'argon2';
import { normalisePassword } from './password-policy.js';
import { createSlots, HASHING_MAX_WAITING, HASHING_SLOTS, type Slots } from './hashing-slots.js';

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

/** The process's hashing slots, shared by every hash and verification it runs by default. */
export const passwordHashingSlots = createSlots(HASHING_SLOTS, { maxWaiting: HASHING_MAX_WAITING });

/**
 * Hashes a password into an Argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`),
 * after NFKC (as verifying does), so a password typed on another keyboard still matches.
 */
export function hashPassword(password: string): Promise<string> {
  // Operators' work (seeding users): it waits its turn rather than being refused.
  return passwordHashingSlots.run(() => argon2.hash(normalisePassword(password), ARGON2_OPTIONS));
}

/** True for an Argon2id PHC string, the only kind of hash the IdP accepts from USERS_FILE. */
export function isArgon2idHash(value: string): boolean {
  return /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.test(value);
}

// Computed once, on first use: an unknown user costs the same Argon2 work as a known one.
let dummyHash: Promise<string> | undefined;

export type VerifyPassword = (hash: string | null, password: string) => Promise<boolean>;

/**
 * A password check that runs in `slots`, refused with `SlotsBusyError` when their waiting
 * line is full (a login burst): the caller answers "try again", never queues without end.
 *
 * It checks `password` against `hash`, or against a dummy hash when there is no user, so that
 * a wrong username and a wrong password take the same time (no user enumeration by timing).
 * A malformed stored hash counts as a mismatch, never as an exception.
 */
export function createPasswordVerifier(slots: Slots): VerifyPassword {
  return async (hash, password) => {
    dummyHash ??= hashPassword('latchkey-dummy-password-for-unknown-users');
    const target = hash ?? (await dummyHash);
    // Outside the try below: "busy" is not "wrong password".
    const matches = await slots.runOrRefuse(async () => {
      try {
        return await argon2.verify(target, normalisePassword(password));
      } catch {
        return false;
      }
    });
    return hash !== null && matches;
  };
}

/** `createPasswordVerifier` on the process's hashing slots. */
export const verifyPassword: VerifyPassword = createPasswordVerifier(passwordHashingSlots);
