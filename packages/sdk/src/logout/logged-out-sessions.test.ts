import { describe, expect, it } from 'vitest';
import { createLoggedOutSessions } from './logged-out-sessions.js';

const outcome = (check: () => void): string => {
  try {
    check();
    return 'valid';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('logged-out sessions', () => {
  const clock = { ms: 1_700_000_000_000 };
  const now = (): number => clock.ms;
  const nowSec = (): number => Math.floor(clock.ms / 1000);

  it('with sid: refuses that session only', () => {
    const ended = createLoggedOutSessions({ now });
    ended.record({ sub: 'alice', sid: 'sid-1', iat: nowSec() });
    expect(outcome(() => ended.check({ sub: 'alice', sid: 'sid-1', iat: nowSec() }))).toBe(
      'ERR_TOKEN_REVOKED',
    );
    // Refreshed tokens of that session carry the same sid and a later iat: still refused.
    expect(outcome(() => ended.check({ sub: 'alice', sid: 'sid-1', iat: nowSec() + 600 }))).toBe(
      'ERR_TOKEN_REVOKED',
    );
    expect(outcome(() => ended.check({ sub: 'alice', sid: 'sid-2', iat: nowSec() }))).toBe('valid');
  });

  it('with sub only: refuses every session of the user issued before the logout', () => {
    const ended = createLoggedOutSessions({ now });
    const at = nowSec();
    ended.record({ sub: 'alice', iat: at });
    for (const sid of ['sid-1', 'sid-2']) {
      expect(outcome(() => ended.check({ sub: 'alice', sid, iat: at - 60 }))).toBe(
        'ERR_TOKEN_REVOKED',
      );
    }
    // A login after the logout is a new session.
    expect(outcome(() => ended.check({ sub: 'alice', sid: 'sid-3', iat: at + 1 }))).toBe('valid');
    expect(outcome(() => ended.check({ sub: 'bob', sid: 'sid-1', iat: at - 60 }))).toBe('valid');
  });

  it('forgets a logout after retentionSec', () => {
    const ended = createLoggedOutSessions({ now, retentionSec: 60 });
    ended.record({ sid: 'sid-1', iat: nowSec() });
    clock.ms += 60_000;
    expect(outcome(() => ended.check({ sub: 'alice', sid: 'sid-1', iat: nowSec() }))).toBe('valid');
  });

  it('when full of live entries refuses to record (503) rather than forget one', () => {
    const ended = createLoggedOutSessions({ now, maxEntries: 2 });
    ended.record({ sid: 'a', iat: nowSec() });
    ended.record({ sid: 'b', iat: nowSec() });
    expect(outcome(() => ended.record({ sid: 'c', iat: nowSec() }))).toBe(
      'ERR_VERIFICATION_UNAVAILABLE',
    );
    expect(ended.size).toBe(2);
  });
});
