import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import {
  countPasskeysOfUser,
  deletePasskey,
  deletePasskeysOfUser,
  insertPasskey,
  insertUserHandleIfAbsent,
  renamePasskey,
  selectPasskey,
  selectPasskeysOfUser,
  selectUserHandle,
  updateAfterUse,
  type PasskeyRow,
} from './passkey-queries.js';

/** One registered WebAuthn credential of a user. */
export interface Passkey {
  /** base64url, as the browser reports it (`PublicKeyCredential.id`). */
  readonly credentialId: string;
  readonly userId: string;
  /** The COSE public key, base64url. */
  readonly publicKey: string;
  /** The signature counter last seen; 0 for authenticators that do not count. */
  readonly counter: number;
  readonly transports: readonly string[];
  /** BE flag: may be synced to other devices (`swk`); false for a device-bound key (`hwk`). */
  readonly backupEligible: boolean;
  readonly backedUp: boolean;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

export type NewPasskey = Omit<Passkey, 'lastUsedAt'>;

/** A passkey's name as people type it: trimmed, at most this many characters. */
export const MAX_PASSKEY_NAME_LENGTH = 64;

/**
 * The passkeys of every user, and each user's opaque WebAuthn handle. Kept in PostgreSQL with
 * the users (they go with them: ON DELETE CASCADE).
 */
export interface PasskeyRepository {
  listOfUser(userId: string): Promise<Passkey[]>;
  find(credentialId: string): Promise<Passkey | null>;
  /** False when the credential id is registered already, to anyone. */
  add(passkey: NewPasskey): Promise<boolean>;
  /**
   * Records a sign-in with the new counter, if the stored one is still `seenCounter`; false
   * when another sign-in moved it meanwhile (the caller refuses this one).
   */
  recordUse(
    passkey: Passkey,
    use: { counter: number; backedUp: boolean; at: Date },
  ): Promise<boolean>;
  rename(userId: string, credentialId: string, name: string): Promise<boolean>;
  /** Only the user's own: false for an unknown id or another user's credential. */
  remove(userId: string, credentialId: string): Promise<boolean>;
  /** Every passkey of the user (`users reset-mfa`); how many there were. */
  removeAllOfUser(userId: string): Promise<number>;
  count(userId: string): Promise<number>;
  /** The user's WebAuthn `user.id` (base64url), made on first use. */
  userHandle(userId: string): Promise<string>;
  /** The user's handle if one was made; null before any enrolment. */
  findUserHandle(userId: string): Promise<string | null>;
}

export function createPasskeyRepository(db: Queryable): PasskeyRepository {
  return {
    listOfUser: async (userId) => (await selectPasskeysOfUser(db, userId)).map(fromRow),
    async find(credentialId) {
      const row = await selectPasskey(db, credentialId);
      return row ? fromRow(row) : null;
    },
    add: (passkey) =>
      insertPasskey(db, {
        credential_id: passkey.credentialId,
        user_id: passkey.userId,
        public_key: passkey.publicKey,
        counter: passkey.counter,
        transports: [...passkey.transports],
        backup_eligible: passkey.backupEligible,
        backed_up: passkey.backedUp,
        name: passkey.name,
        created_at: passkey.createdAt,
      }),
    recordUse: (passkey, use) =>
      updateAfterUse(db, {
        credentialId: passkey.credentialId,
        seenCounter: passkey.counter,
        ...use,
      }),
    rename: (userId, credentialId, name) => renamePasskey(db, userId, credentialId, name),
    remove: (userId, credentialId) => deletePasskey(db, userId, credentialId),
    removeAllOfUser: (userId) => deletePasskeysOfUser(db, userId),
    count: (userId) => countPasskeysOfUser(db, userId),
    async userHandle(userId) {
      const held = await selectUserHandle(db, userId);
      if (held) return held;
      await insertUserHandleIfAbsent(db, userId, randomBytes(32).toString('base64url'));
      const made = await selectUserHandle(db, userId);
      if (!made) throw new Error('the user has no WebAuthn handle after inserting one');
      return made;
    },
    findUserHandle: (userId) => selectUserHandle(db, userId),
  };
}

function fromRow(row: PasskeyRow): Passkey {
  return {
    credentialId: row.credential_id,
    userId: row.user_id,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: row.transports,
    backupEligible: row.backup_eligible,
    backedUp: row.backed_up,
    name: row.name,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
  };
}
