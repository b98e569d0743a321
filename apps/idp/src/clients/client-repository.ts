import type { Database } from '../db/database.js';
import type { Client, StoredClient } from './client.js';
import {
  insertClient,
  markClientDeleted,
  markFileClientsDeleted,
  reviveFileClient,
  selectClientRecord,
  selectClientsPage,
  selectLiveClients,
  updateClient,
} from './client-queries.js';
import { CLIENT_ID } from './client-validation.js';

/** What a CLIENTS_FILE entry did to the table. */
export type ClientImportOutcome =
  /** It was not there (or the file had dropped it, and lists it again): created. */
  | 'created'
  /** Kept by the file and different: brought in step with it. */
  | 'updated'
  | 'unchanged'
  /** Changed or registered through the admin API since, and unlike the file: left as it is. */
  | 'kept_api'
  /** Deleted through the admin API: stays deleted. */
  | 'kept_deleted';

/**
 * The registered clients, kept in PostgreSQL (server or embedded), so every IdP instance
 * serves the same ones. Ids of deleted clients stay taken (db/migrations/009-clients.ts).
 */
export interface ClientRepository {
  /** Every live client, in id order (what a registry holds in memory). */
  all(): Promise<StoredClient[]>;
  find(id: string): Promise<StoredClient | null>;
  /** Live clients in id order, `limit` (1 to 500) at a time; `next` is the following page's `after`. */
  list(query?: { after?: string | null; limit?: number }): Promise<ClientPage>;
  /** Registers a new client, owned by the API: `taken` when a live client holds the id, `deleted` when a deleted one did. */
  create(client: Client): Promise<StoredClient | 'taken' | 'deleted'>;
  /** One CLIENTS_FILE entry; idempotent (see ClientImportOutcome). */
  import(client: Client): Promise<ClientImportOutcome>;
  /**
   * Deletes the live clients CLIENTS_FILE made and no longer lists (`listed`: its ids), so
   * that taking a client out of the file still ends it; the API's clients are not touched.
   * Returns the ids deleted.
   */
  dropUnlisted(listed: readonly string[]): Promise<string[]>;
  /**
   * Changes a live client under a row lock: `edit` gets the client as it stands now and
   * returns what it becomes, so two concurrent changes apply one after the other and neither
   * loses the other's fields. Whatever `edit` throws rolls the change back and passes through.
   * Null when there is no such live client. The client is owned by the API from then on.
   */
  change(id: string, edit: (current: StoredClient) => Client): Promise<StoredClient | null>;
  /** False when there was no such live client. */
  delete(id: string): Promise<boolean>;
}

export interface ClientPage {
  readonly clients: readonly StoredClient[];
  readonly next: string | null;
}

export const DEFAULT_CLIENT_PAGE = 50;
export const MAX_CLIENT_PAGE = 500;

export function createClientRepository(db: Database): ClientRepository {
  // An id that could never be registered is nobody's: answered without asking the database
  // (PostgreSQL text cannot even hold a NUL).
  const usable = (id: string) => CLIENT_ID.test(id);
  return {
    all: () => selectLiveClients(db),

    async find(id) {
      if (!usable(id)) return null;
      const record = await selectClientRecord(db, id);
      return record && !record.deleted ? record.client : null;
    },

    async list({ after = null, limit = DEFAULT_CLIENT_PAGE } = {}) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CLIENT_PAGE) {
        throw new RangeError(`limit must be an integer from 1 to ${MAX_CLIENT_PAGE}`);
      }
      if (after !== null && !usable(after)) return { clients: [], next: null };
      // One row more than asked tells whether another page follows, without a count.
      const rows = await selectClientsPage(db, { after, limit: limit + 1 });
      const clients = rows.slice(0, limit);
      return { clients, next: rows.length > limit ? clients[clients.length - 1]!.id : null };
    },

    async create(client) {
      const created = await insertClient(db, client, 'api');
      if (created) return created;
      const record = await selectClientRecord(db, client.id);
      return record?.deleted ? 'deleted' : 'taken';
    },

    import: (client) =>
      db.transaction(async (tx) => {
        if (await insertClient(tx, client, 'file')) return 'created';
        const record = await selectClientRecord(tx, client.id, true);
        if (!record) throw new Error(`client ${client.id} vanished during its import`);
        if (record.deleted) {
          if (record.client.managedBy === 'api') return 'kept_deleted';
          await reviveFileClient(tx, client);
          return 'created';
        }
        if (sameRegistration(record.client, client)) return 'unchanged';
        if (record.client.managedBy === 'api') return 'kept_api';
        await updateClient(tx, client, 'file');
        return 'updated';
      }),

    async change(id, edit) {
      if (!usable(id)) return null;
      return db.transaction(async (tx) => {
        const record = await selectClientRecord(tx, id, true);
        if (!record || record.deleted) return null;
        const next = edit(record.client);
        if (next.id !== id) throw new TypeError('a change cannot rename a client');
        return updateClient(tx, next, 'api');
      });
    },

    dropUnlisted: (listed) => markFileClientsDeleted(db, listed),

    delete: async (id) => usable(id) && markClientDeleted(db, id, 'api'),
  };
}

/** True when the two say the same thing (the stored extras aside). */
export function sameRegistration(a: Client, b: Client): boolean {
  return (
    a.name === b.name &&
    (a.secretDigest === null
      ? b.secretDigest === null
      : b.secretDigest !== null && a.secretDigest.equals(b.secretDigest)) &&
    a.authMethod === b.authMethod &&
    sameList(a.grantTypes, b.grantTypes) &&
    sameList(a.redirectUris, b.redirectUris) &&
    sameList(a.postLogoutRedirectUris, b.postLogoutRedirectUris) &&
    sameList(a.scopes, b.scopes) &&
    sameList(a.resources, b.resources) &&
    a.idTokenSignedResponseAlg === b.idTokenSignedResponseAlg &&
    (a.backchannelLogoutUri ?? null) === (b.backchannelLogoutUri ?? null) &&
    (a.backchannelLogoutSessionRequired ?? false) ===
      (b.backchannelLogoutSessionRequired ?? false) &&
    (a.requireMfa ?? false) === (b.requireMfa ?? false) &&
    (a.applicationType ?? 'web') === (b.applicationType ?? 'web') &&
    (a.dpopBoundAccessTokens ?? false) === (b.dpopBoundAccessTokens ?? false) &&
    sameList(a.webOrigins ?? [], b.webOrigins ?? []) &&
    (a.requirePushedAuthorizationRequests ?? false) ===
      (b.requirePushedAuthorizationRequests ?? false) &&
    (a.firstParty ?? true) === (b.firstParty ?? true) &&
    (a.idTokenOnRefresh ?? false) === (b.idTokenOnRefresh ?? false)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
