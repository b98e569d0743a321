import 'server-only';
import { cache } from 'react';
import { forbidden, redirect } from 'next/navigation';
import { stepUpLoginPath, type LatchkeySession } from '@latchkey/sdk/next';
import { config } from '../config';
import { latchkey } from './latchkey';

/** The IdP's level for a login with two kinds of factor (OIDC `acr`, in its discovery). */
export const ACR_MFA = 'urn:latchkey:acr:mfa';
export const ADMIN_ROLE = 'admin';

/**
 * The real access check of every console page, action and route handler (never the proxy or a
 * layout alone): a verified session, else to the login; the role `admin`, else the 403 page,
 * thrown before any data is fetched; and, unless CONSOLE_REQUIRE_MFA=false, a login with a
 * second factor, else a step-up at the IdP that asks only for the missing factor. The admin
 * API checks role and session again on every call: this gate is about what the console shows.
 */
export const requireAdmin = cache(async (returnTo: string): Promise<LatchkeySession> => {
  const session = await latchkey.getSession({ returnTo });
  if (!isAdmin(session)) forbidden();
  if (config.requireMfa && session.acr !== ACR_MFA) redirect(stepUpLoginPath(ACR_MFA, returnTo));
  return session;
});

export function isAdmin(session: Pick<LatchkeySession, 'roles'>): boolean {
  return session.roles.includes(ADMIN_ROLE);
}
