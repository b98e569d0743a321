import { describe, expect, it } from 'vitest';
import { registrationOf } from '../../clients/client-metadata.js';
import { parseClients } from '../../clients/load-clients.js';
import { clientEntry, entryProblems } from '../../test-support/client-entries.js';

/** The `id_token_on_refresh` registration field (refresh-token-grant.ts, OIDC Core §12.2). */
describe('id_token_on_refresh (a new ID token in every refresh answer)', () => {
  it('is kept when true, absent (false) otherwise, and shown either way', () => {
    const [asked, plain] = parseClients(
      [clientEntry({ id_token_on_refresh: true }), clientEntry({ client_id: 'other' })],
      { production: false },
    );
    expect(asked?.idTokenOnRefresh).toBe(true);
    expect(plain?.idTokenOnRefresh).toBeUndefined();
    expect(registrationOf(asked!)).toMatchObject({ id_token_on_refresh: true });
    expect(registrationOf(plain!)).toMatchObject({ id_token_on_refresh: false });
  });

  it('refuses a value that is not a boolean', () => {
    expect(entryProblems({ id_token_on_refresh: 'yes' })).toEqual([
      'CLIENTS_FILE: client #0: id_token_on_refresh must be true or false',
    ]);
  });
});
