import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

/**
 * RFC 6238 TOTP with the parameters every authenticator app understands: HMAC-SHA-1, six
 * digits, 30-second steps. The library computes the codes (RFC 4226 HOTP); the window, the
 * replay rule and the comparison are ours, so that they can be read here.
 */
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** RFC 6238 §5.2: one step either side absorbs clock drift and typing time, and no more. */
export const TOTP_WINDOW = 1;
/** 160 bits: RFC 4226 §4 R6 recommends a key of the HMAC-SHA-1 output length. */
const SECRET_BYTES = 20;

/** A new random secret, base32 (what the person types if they cannot scan the QR code). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://` URI the QR code carries (the Key Uri Format authenticator apps read). */
export function totpUri(secret: string, account: { issuer: string; username: string }): string {
  return new TOTP({
    issuer: account.issuer,
    label: account.username,
    secret: Secret.fromBase32(secret),
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    algorithm: 'SHA1',
  }).toString();
}

/** The RFC 6238 time step (T) at `nowMs`. */
export function timeStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S);
}

/** The code for one time step (tests and the bench compute what an app would show). */
export function totpCodeAt(secret: string, step: number): string {
  return HOTP.generate({
    secret: Secret.fromBase32(secret),
    counter: step,
    digits: TOTP_DIGITS,
    algorithm: 'SHA1',
  });
}

/** Whether a typed value has the shape of a TOTP code (spaces allowed: "123 456"). */
export function normaliseTotpCode(value: string): string | null {
  const digits = value.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * The time step whose code `code` is, within ±{@link TOTP_WINDOW} of `nowMs`, or null. Every
 * step of the window is computed and compared in constant time, whatever matched: the time
 * taken says nothing about which step (or whether any) matched. When two steps share the
 * code (1 in a million), the later one is returned, so that it is the one marked used.
 */
export function matchTotpStep(secret: string, code: string, nowMs: number): number | null {
  const current = timeStep(nowMs);
  const given = Buffer.from(code.padEnd(TOTP_DIGITS, '\0').slice(0, TOTP_DIGITS));
  let matched: number | null = null;
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step += 1) {
    const expected = Buffer.from(totpCodeAt(secret, step));
    const equal = timingSafeEqual(expected, given) && code.length === TOTP_DIGITS;
    if (equal) matched = step;
  }
  return matched;
}
