import { describe, expect, it } from 'vitest';
import { registrationOf } from '../../clients/client-metadata.js';
import { ClientsFileError, parseClients } from '../../clients/load-clients.js';

/** The `id_token_on_refresh` registration field (refresh-token-grant.ts, OIDC Core §12.2). */
const client = (extra: Record<string, unknown>) => ({
  client_id: 'app',
  client_secret: 'a-long-enough-client-secret',
  redirect_uris: ['https://app.example/cb'],
  resources: ['https://api.example/'],
  ...extra,
});

describe('id_token_on_refresh (a new ID token in every refresh answer)', () => {
  it('is kept when true, absent (false) otherwise, and shown either way', () => {
    const [asked, plain] = parseClients(
      [client({ id_token_on_refresh: true }), client({ client_id: 'other' })],
      { production: false },
    );
    expect(asked?.idTokenOnRefresh).toBe(true);
    expect(plain?.idTokenOnRefresh).toBeUndefined();
    expect(registrationOf(asked!)).toMatchObject({ id_token_on_refresh: true });
    expect(registrationOf(plain!)).toMatchObject({ id_token_on_refresh: false });
  });

  it('refuses a value that is not a boolean', () => {
    let problems: readonly string[] = [];
    try {
      parseClients([client({ id_token_on_refresh: 'yes' })], { production: false });
    } catch (error) {
      if (!(error instanceof ClientsFileError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual([
      'CLIENTS_FILE: client #0: id_token_on_refresh must be true or false',
    ]);
  });
});
