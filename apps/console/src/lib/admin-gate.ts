import 'server-only';
import { cache } from 'react';
import { forbidden, redirect } from 'next/navigation';
import { stepUpLoginPath, type LatchkeySession } from '@latchkey/sdk/next';
import { config } from '../config';
import { ACR_MFA, gateDecision } from './gate-decision';
import { latchkey } from './latchkey';

/**
 * The real access check of every console page, action and route handler (never the proxy or a
 * layout alone): a verified session, else to the login; then gateDecision: the 403 page,
 * thrown before any data is fetched, or a step-up at the IdP that asks only for the missing
 * factor. The admin API checks role and session again on every call: this gate is about what
 * the console shows.
 */
export const requireAdmin = cache(async (returnTo: string): Promise<LatchkeySession> => {
  const session = await latchkey.getSession({ returnTo });
  const decision = gateDecision(session, config.requireMfa);
  if (decision === 'forbidden') forbidden();
  if (decision === 'step-up') redirect(stepUpLoginPath(ACR_MFA, returnTo));
  return session;
});
