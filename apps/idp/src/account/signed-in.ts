import type { Context } from 'koa';
import { requestLocale } from '../i18n/language-cookie.js';
import type { Locale } from '../i18n/locales.js';
import { askForLogin, browserSession } from '../login/page-login.js';
import type { Session } from '../sessions/session.js';
import type { User } from '../users/user.js';
import type { AccountDeps } from './account-deps.js';

/** Who is looking at an account page, and in which language. */
export interface SignedIn {
  session: Session;
  user: User;
  locale: Locale;
}

/**
 * The browser's session and its user, or null after sending the browser to the login form,
 * which comes back to `returnTo`. A session whose user is gone or disabled counts as none:
 * the login form then answers for that account as it would for anyone.
 */
export async function signedIn(
  ctx: Context,
  deps: AccountDeps,
  returnTo: string,
  chosen?: string,
): Promise<SignedIn | null> {
  const locale = requestLocale(ctx, { chosen });
  const session = await browserSession(ctx, deps);
  const user = session ? await deps.users.findById(session.sub) : null;
  if (!session || !user || user.state !== 'active') {
    await askForLogin(ctx, deps, { returnTo, locale });
    return null;
  }
  return { session, user, locale };
}
