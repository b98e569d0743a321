import type { Passkey } from './passkey-repository.js';

/**
 * What a passkey sign-in says about how the user authenticated (RFC 8176 values), the one
 * mapping in one place:
 *
 * - `hwk` for a device-bound passkey (backup eligibility off: the key cannot leave the
 *   authenticator), `swk` for a synced one (backup eligible: the key is software that a
 *   platform copies between devices). Read from the BE flag stored at enrolment.
 * - `user`: the authenticator tested the user's presence (the UP flag, always required).
 * - `mfa` when the authenticator verified the user (UV: a PIN or a biometric unlocked the
 *   key): something held and something known or inherent, two factors in one gesture. A
 *   passkey used after the password is `mfa` too, but that is the login flow's to add
 *   (the password is its `pwd`).
 */
export function amrForPasskey(
  passkey: Pick<Passkey, 'backupEligible'>,
  userVerified: boolean,
): string[] {
  return [passkey.backupEligible ? 'swk' : 'hwk', 'user', ...(userVerified ? ['mfa'] : [])];
}
