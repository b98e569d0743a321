import { describe, expect, it } from 'vitest';
import { registrationOf } from '../../clients/client-metadata.js';
import { parseClients } from '../../clients/load-clients.js';
import { clientEntry, entryProblems } from '../../test-support/client-entries.js';

/** RFC 9126 §6: the `require_pushed_authorization_requests` registration field. */

describe('require_pushed_authorization_requests (RFC 9126 §6)', () => {
  it('is kept when true, absent (false) otherwise, and shown either way', () => {
    const [required, plain] = parseClients(
      [
        clientEntry({ require_pushed_authorization_requests: true }),
        clientEntry({ client_id: 'other' }),
      ],
      { production: false },
    );
    expect(required?.requirePushedAuthorizationRequests).toBe(true);
    expect(plain?.requirePushedAuthorizationRequests).toBeUndefined();
    expect(registrationOf(required!)).toMatchObject({
      require_pushed_authorization_requests: true,
    });
    expect(registrationOf(plain!)).toMatchObject({ require_pushed_authorization_requests: false });
  });

  it('refuses a value that is not a boolean', () => {
    expect(entryProblems({ require_pushed_authorization_requests: 'yes' })).toEqual([
      'CLIENTS_FILE: client #0: require_pushed_authorization_requests must be true or false',
    ]);
  });
});
