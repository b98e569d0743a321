import type { AccountNotifier } from './account-lifecycle.js';
import type { User } from './user.js';

/**
 * Several notifiers as one (the owner's mail, the Shared Signals transmitter): each is told,
 * one failing does not keep the others from hearing of the change, and the first failure is
 * rethrown afterwards for the lifecycle to report.
 */
export function composeNotifiers(notifiers: readonly AccountNotifier[]): AccountNotifier {
  const tellAll = async (tell: (notifier: AccountNotifier) => unknown) => {
    const results = await Promise.allSettled(
      notifiers.map(async (notifier) => {
        await tell(notifier);
      }),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return {
    passwordChanged: (user: User) => tellAll((notifier) => notifier.passwordChanged(user)),
    secondFactorsReset: (user: User) => tellAll((notifier) => notifier.secondFactorsReset?.(user)),
  };
}
