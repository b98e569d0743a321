/**
 * Authentication assurance: how a session's user proved who they are (RFC 8176 `amr`
 * values) and the level that reaches (OIDC Core §2 `acr`). Pure: the session records the
 * result, the ID token carries it, /authorize compares it with what a client asks for.
 *
 * Two levels, named as URNs under our own namespace so that no client mistakes them for a
 * registered profile (OIDC Core §2: "values ... SHOULD be absolute URIs"):
 * - `urn:latchkey:acr:pwd`: one factor (a password, or a passkey without user verification);
 * - `urn:latchkey:acr:mfa`: factors of two kinds (password and TOTP, password and passkey, a
 *   passkey with user verification).
 * A higher level satisfies a request for a lower one.
 */
export const ACR_PASSWORD = 'urn:latchkey:acr:pwd';
export const ACR_MFA = 'urn:latchkey:acr:mfa';

/** Lowest first: the order discovery lists them in and the order that ranks them. */
export const ACR_VALUES_SUPPORTED: readonly string[] = [ACR_PASSWORD, ACR_MFA];

/**
 * RFC 8176 §2 values by the kind of factor they prove (NIST SP 800-63B: something you know,
 * have, are). `mfa` is added when two kinds are present; values of no kind (`user`: a presence
 * test, `mca`, `rba`) count towards none.
 */
const FACTOR_KIND: Readonly<Record<string, 'know' | 'have' | 'are'>> = {
  pwd: 'know',
  pin: 'know',
  kba: 'know',
  otp: 'have',
  hwk: 'have',
  swk: 'have',
  sc: 'have',
  sms: 'have',
  tel: 'have',
  pop: 'have',
  fpt: 'are',
  face: 'are',
  iris: 'are',
  retina: 'are',
  vbm: 'are',
  geo: 'are',
};

/**
 * The `amr` after proving `added` on top of `proven`: the union, without duplicates, with
 * `mfa` when the factors are of at least two kinds. Order: what was proven first, then the
 * new methods, `mfa` last.
 */
export function combineAmr(proven: readonly string[], added: readonly string[] = []): string[] {
  const methods = [...new Set([...proven, ...added])].filter((value) => value !== 'mfa');
  const kinds = new Set(methods.map((value) => FACTOR_KIND[value]).filter(Boolean));
  return kinds.size >= 2 || proven.includes('mfa') || added.includes('mfa')
    ? [...methods, 'mfa']
    : methods;
}

/** The level an `amr` reaches. */
export function acrForAmr(amr: readonly string[]): string {
  return amr.includes('mfa') ? ACR_MFA : ACR_PASSWORD;
}

/** Whether a session at `acr` satisfies a requirement of `required` (a supported value). */
export function acrSatisfies(acr: string, required: string): boolean {
  const have = ACR_VALUES_SUPPORTED.indexOf(acr);
  const need = ACR_VALUES_SUPPORTED.indexOf(required);
  return have >= 0 && need >= 0 && have >= need;
}
