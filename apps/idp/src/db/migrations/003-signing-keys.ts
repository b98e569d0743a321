import type { Migration } from '../migration.js';

/**
 * The signing keys, durable: Redis holds only a copy (keys/key-mirror.ts), so a Redis that
 * restarts empty loses no key and every token issued before still verifies.
 *
 * `signing_key_set` is one row whose `version` grows with every change of the set: writers
 * change the keys only in the transaction whose `UPDATE … WHERE version = <the one they read>`
 * matched (keys/key-repository.ts), so of two IdPs rotating at once exactly one commits.
 * `private_key` is the AES-256-GCM sealed JWK ({v, iv, tag, data}; keys/key-encryption.ts),
 * never the key itself. `state` follows from the timestamps, as in keys/key-set.ts; the two
 * partial unique indexes make "one active and one pending key per algorithm" a rule the
 * database enforces, whoever writes.
 */
export const signingKeysMigration: Migration = {
  version: 3,
  name: 'signing-keys',
  statements: [
    `CREATE TABLE signing_key_set (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      version integer NOT NULL CHECK (version > 0),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE signing_keys (
      kid text PRIMARY KEY,
      alg text NOT NULL CHECK (alg IN ('RS256', 'ES256', 'EdDSA')),
      public_jwk jsonb NOT NULL,
      private_key jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      activated_at timestamptz,
      retired_at timestamptz,
      revoked_at timestamptz,
      state text NOT NULL GENERATED ALWAYS AS (
        CASE
          WHEN revoked_at IS NOT NULL THEN 'revoked'
          WHEN retired_at IS NOT NULL THEN 'retired'
          WHEN activated_at IS NOT NULL THEN 'active'
          ELSE 'pending'
        END
      ) STORED
    )`,
    `CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (alg) WHERE state = 'active'`,
    `CREATE UNIQUE INDEX signing_keys_one_pending ON signing_keys (alg) WHERE state = 'pending'`,
  ],
};
