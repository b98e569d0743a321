import type { User } from '../users/user.js';
import type { AccountMailer } from './account-mailer.js';
import { mailLocale } from './mail-locale.js';

/**
 * The account lifecycle's notifier (users/account-lifecycle.ts `AccountNotifier`): "your
 * password was changed", to the account's address, in the language of the page that changed
 * it (mail-locale.ts). Queued, never awaited: a mail server that is down must not undo or
 * delay a change that is already made. It links to the forgot-password page, for the owner
 * who did not make the change.
 */
export function passwordChangedNotice(deps: {
  mailer: AccountMailer;
  issuer: string;
  now: () => number;
}): { passwordChanged(user: User): void } {
  return {
    passwordChanged(user) {
      if (!user.email) return;
      deps.mailer.send(
        {
          kind: 'password_changed',
          username: user.username,
          link: `${deps.issuer}/forgot-password`,
          at: new Date(deps.now()),
        },
        user.email,
        mailLocale(),
      );
    },
  };
}
