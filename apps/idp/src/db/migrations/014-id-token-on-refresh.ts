import type { Migration } from '../migration.js';

/**
 * A client's choice of a new ID token in every refresh answer (clients/client.ts
 * `idTokenOnRefresh`). Existing clients get none, the default: OIDC Core §12.2 allows it.
 */
export const idTokenOnRefreshMigration: Migration = {
  version: 14,
  name: 'id-token-on-refresh',
  statements: ['ALTER TABLE clients ADD COLUMN id_token_on_refresh boolean NOT NULL DEFAULT false'],
};
