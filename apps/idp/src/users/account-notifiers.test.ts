import { describe, expect, it } from 'vitest';
import { composeNotifiers } from './account-notifiers.js';
import type { User } from './user.js';

describe('composeNotifiers', () => {
  it('tells every notifier even when one fails, then reports the failure', async () => {
    const told: string[] = [];
    const notifier = composeNotifiers([
      {
        passwordChanged: () => {
          throw new Error('mail down');
        },
      },
      {
        passwordChanged: (user) => {
          told.push(user.id);
        },
      },
    ]);
    await expect(notifier.passwordChanged({ id: 'u1' } as User)).rejects.toThrow('mail down');
    expect(told).toEqual(['u1']);
  });
});
