import { describe, expect, it } from 'vitest';
import { registrationOf } from '../../clients/client-metadata.js';
import { ClientsFileError, parseClients } from '../../clients/load-clients.js';

/** RFC 9126 §6: the `require_pushed_authorization_requests` registration field. */
const client = (extra: Record<string, unknown>) => ({
  client_id: 'app',
  client_secret: 'a-long-enough-client-secret',
  redirect_uris: ['https://app.example/cb'],
  resources: ['https://api.example/'],
  ...extra,
});

function problems(extra: Record<string, unknown>): readonly string[] {
  try {
    parseClients([client(extra)], { production: false });
    return [];
  } catch (error) {
    if (error instanceof ClientsFileError) return error.problems;
    throw error;
  }
}

describe('require_pushed_authorization_requests (RFC 9126 §6)', () => {
  it('is kept when true, absent (false) otherwise, and shown either way', () => {
    const [required, plain] = parseClients(
      [client({ require_pushed_authorization_requests: true }), client({ client_id: 'other' })],
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
    expect(problems({ require_pushed_authorization_requests: 'yes' })).toEqual([
      'CLIENTS_FILE: client #0: require_pushed_authorization_requests must be true or false',
    ]);
  });
});
