import type { LatchkeySession } from '@latchkey/sdk/next';

/** The IdP's level for a login with two kinds of factor (OIDC `acr`, in its discovery). */
export const ACR_MFA = 'urn:latchkey:acr:mfa';
export const ADMIN_ROLE = 'admin';

/**
 * Whether a verified session may enter the console: only with the role `admin` (from the
 * access token the IdP signed), and, when `requireMfa`, only after a login with a second
 * factor (acr mfa, from the verified ID token). The role comes first: a user who is not an
 * admin is refused outright rather than asked for a factor that would not help.
 */
export function gateDecision(
  session: Pick<LatchkeySession, 'roles' | 'acr'>,
  requireMfa: boolean,
): 'enter' | 'forbidden' | 'step-up' {
  if (!session.roles.includes(ADMIN_ROLE)) return 'forbidden';
  if (requireMfa && session.acr !== ACR_MFA) return 'step-up';
  return 'enter';
}
