import { normaliseEmail } from '../users/normalise.js';

/** RFC 5321's limit on a whole address; anything longer is nobody's. */
export const MAX_EMAIL_LENGTH = 320;

/**
 * Loose on purpose (RFC 5321 allows far more than a form should judge): after NFKC and
 * trimming, at most 320 characters, one `@` with something on each side, no spaces or
 * control characters. Delivery is the real test: the link only works if the mail arrives.
 */
export function isEmailAddress(value: string): boolean {
  if (value.length > MAX_EMAIL_LENGTH * 4) return false;
  const address = normaliseEmail(value);
  return (
    address.length <= MAX_EMAIL_LENGTH &&
    /^[^\s@\u0000-\u001f\u007f]{1,64}@[^\s@\u0000-\u001f\u007f]{1,255}$/u.test(address)
  );
}
