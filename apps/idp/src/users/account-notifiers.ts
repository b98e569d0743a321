import type { AccountNotifier } from './account-lifecycle.js';
import type { User } from './user.js';

/**
 * Several notifiers as one (the owner's mail, the Shared Signals transmitter): each is told,
 * one failing does not keep the others from hearing of the change, and the first failure is
 * rethrown afterwards for the lifecycle to report.
 */
export function composeNotifiers(notifiers: readonly AccountNotifier[]): AccountNotifier {
  return {
    async passwordChanged(user: User) {
      const results = await Promise.allSettled(
        notifiers.map(async (notifier) => notifier.passwordChanged(user)),
      );
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
