import 'server-only';
import { stepUpLoginPath, type LatchkeySession } from '@latchkey/sdk/next';

/**
 * The IdP's level for a login with factors of two kinds (OIDC `acr`; the IdP's discovery
 * document lists it in `acr_values_supported`). Editing asks for it; reading does not.
 */
export const ACR_MFA = 'urn:latchkey:acr:mfa';

/**
 * Where to send a session below the mfa level before it may edit: the wiki's login asking the
 * IdP for that level (`acr_values`), coming back to `returnTo`. The IdP asks only for the
 * missing factor and keeps its single sign-on session, so the shop stays signed in. Undefined
 * when the session already reaches it.
 */
export function stepUpFor(session: LatchkeySession, returnTo: string): string | undefined {
  return session.acr === ACR_MFA ? undefined : stepUpLoginPath(ACR_MFA, returnTo);
}
