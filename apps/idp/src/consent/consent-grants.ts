import type { Queryable } from '../db/database.js';
import { CLIENT_ID } from '../clients/client-validation.js';

/** What one user allowed one third-party client, all scopes allowed so far together. */
export interface ConsentGrant {
  readonly clientId: string;
  /** Sorted, each once. */
  readonly scopes: readonly string[];
  /** When the user first allowed this client. */
  readonly grantedAt: Date;
  /** When the user last allowed it more scopes. */
  readonly updatedAt: Date;
}

/**
 * The consent grants, kept in PostgreSQL (db/migrations/011-consent.ts): the `consent_grants`
 * table's SQL, all of it. A grant only grows (new scopes are added to it) until the user
 * removes it as a whole from the account page.
 */
export interface ConsentGrants {
  find(userId: string, clientId: string): Promise<ConsentGrant | null>;
  /** Adds `scopes` to the user's grant to the client (made if absent); the grant as it is now. */
  grant(userId: string, clientId: string, scopes: readonly string[]): Promise<ConsentGrant>;
  /** The user's grants, in client id order. */
  listForUser(userId: string): Promise<ConsentGrant[]>;
  /** Deletes the grant; false when there was none. */
  revoke(userId: string, clientId: string): Promise<boolean>;
}

interface GrantRow {
  client_id: string;
  scopes: string[];
  granted_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'client_id, scopes, granted_at, updated_at';

export function createConsentGrants(db: Queryable): ConsentGrants {
  // An id that could never be registered has no grant (and PostgreSQL text holds no NUL).
  const usable = (clientId: string) => CLIENT_ID.test(clientId);
  return {
    async find(userId, clientId) {
      if (!usable(clientId)) return null;
      const rows = await db.query<GrantRow>(
        `SELECT ${COLUMNS} FROM consent_grants WHERE user_id = $1 AND client_id = $2`,
        [userId, clientId],
      );
      return rows[0] ? toGrant(rows[0]) : null;
    },

    async grant(userId, clientId, scopes) {
      if (!usable(clientId)) throw new TypeError('not a client id');
      // One statement: two concurrent consents (two tabs) both end up in the row.
      const rows = await db.query<GrantRow>(
        `INSERT INTO consent_grants (user_id, client_id, scopes) VALUES ($1, $2, $3::text[])
         ON CONFLICT (user_id, client_id) DO UPDATE SET
           scopes = ARRAY(
             SELECT DISTINCT s FROM unnest(consent_grants.scopes || EXCLUDED.scopes) AS s ORDER BY s
           ),
           updated_at = now()
         RETURNING ${COLUMNS}`,
        [userId, clientId, [...new Set(scopes)].sort()],
      );
      return toGrant(rows[0]!);
    },

    async listForUser(userId) {
      const rows = await db.query<GrantRow>(
        `SELECT ${COLUMNS} FROM consent_grants WHERE user_id = $1 ORDER BY client_id`,
        [userId],
      );
      return rows.map(toGrant);
    },

    async revoke(userId, clientId) {
      if (!usable(clientId)) return false;
      const rows = await db.query<{ client_id: string }>(
        'DELETE FROM consent_grants WHERE user_id = $1 AND client_id = $2 RETURNING client_id',
        [userId, clientId],
      );
      return rows.length > 0;
    },
  };
}

/** Whether the grant already covers every scope asked for. */
export function grantCovers(grant: ConsentGrant | null, scopes: readonly string[]): boolean {
  return grant !== null && scopes.every((scope) => grant.scopes.includes(scope));
}

function toGrant(row: GrantRow): ConsentGrant {
  return {
    clientId: row.client_id,
    scopes: [...row.scopes],
    grantedAt: new Date(row.granted_at),
    updatedAt: new Date(row.updated_at),
  };
}
