import type { Migration } from '../migration.js';

/**
 * WebAuthn passkeys (passkeys/). A user may hold several; `credential_id` (base64url, as the
 * browser reports it) is unique across every user, so a credential can never be registered to
 * two accounts. `public_key` is the COSE key as base64url text: the two drivers return bytea
 * differently (Buffer, Uint8Array), text reads the same through both. `counter` is the
 * authenticator's signature counter, kept to notice a cloned authenticator (it must grow, or
 * stay 0 for authenticators that do not count). `backup_eligible`/`backed_up` are the BE/BS
 * flags: a synced passkey (`swk`) or a device-bound one (`hwk`).
 *
 * `webauthn_user_handles` holds each user's opaque WebAuthn `user.id`: 32 random bytes, never
 * the username or email (authenticators keep it and hand it back at every sign-in, and may
 * show or sync it). One per user, made on first enrolment, gone with the user.
 */
export const passkeysMigration: Migration = {
  version: 7,
  name: 'passkeys',
  statements: [
    `CREATE TABLE webauthn_user_handles (
      user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      handle text NOT NULL UNIQUE
    )`,
    `CREATE TABLE passkeys (
      credential_id text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      public_key text NOT NULL,
      counter bigint NOT NULL DEFAULT 0 CHECK (counter >= 0),
      transports text[] NOT NULL DEFAULT '{}',
      backup_eligible boolean NOT NULL,
      backed_up boolean NOT NULL,
      name text NOT NULL,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz
    )`,
    'CREATE INDEX passkeys_user_id ON passkeys (user_id)',
  ],
};
