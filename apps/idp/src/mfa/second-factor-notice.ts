import type { Locale } from '../i18n/locales.js';
import type { AccountMailer } from '../mail/account-mailer.js';
import type { SecondFactorChange } from '../mail/account-mails.js';

/** Tells a user by mail that their second factors changed. Never throws, never waits. */
export type SecondFactorNotice = (
  user: { username: string; email?: string | undefined },
  change: SecondFactorChange,
  locale: Locale,
) => void;

/**
 * "Your two-step verification changed", to the account's address, in the language of the
 * page that made the change. The owner who did not make it learns at once, with the link to
 * reset the password: whoever could change a factor had the session and the password.
 */
export function secondFactorNotice(deps: {
  mailer: AccountMailer;
  issuer: string;
  now: () => number;
}): SecondFactorNotice {
  return (user, change, locale) => {
    if (!user.email) return;
    deps.mailer.send(
      {
        kind: 'second_factor_changed',
        change,
        username: user.username,
        link: `${deps.issuer}/forgot-password`,
        at: new Date(deps.now()),
      },
      user.email,
      locale,
    );
  };
}
