import type { SigningAlgorithm } from '@latchkey/protocol';
import type { Queryable } from '../db/database.js';
import type {
  Client,
  ClientManager,
  GrantType,
  StoredClient,
  TokenEndpointAuthMethod,
} from './client.js';

/** The `clients` table's SQL, all of it (db/migrations/009-clients.ts made the table). */

interface ClientRow {
  id: string;
  name: string;
  secret_digest: string | null;
  auth_method: TokenEndpointAuthMethod;
  grant_types: GrantType[];
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  scopes: string[];
  resources: string[];
  id_token_signed_response_alg: SigningAlgorithm;
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  require_mfa: boolean;
  id_token_on_refresh: boolean;
  application_type: 'web' | 'native';
  dpop_bound_access_tokens: boolean;
  web_origins: string[];
  require_pushed_authorization_requests: boolean;
  first_party: boolean;
  managed_by: ClientManager;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const COLUMNS = `id, name, secret_digest, auth_method, grant_types, redirect_uris,
  post_logout_redirect_uris, scopes, resources, id_token_signed_response_alg,
  backchannel_logout_uri, backchannel_logout_session_required, require_mfa, application_type,
  dpop_bound_access_tokens, web_origins, require_pushed_authorization_requests, first_party,
  id_token_on_refresh, managed_by, version, created_at, updated_at, deleted_at`;

/** The registration's own columns, in the order of `fields()`, from $2 on ($1 is the id). */
const FIELD_COLUMNS = `name, secret_digest, auth_method, grant_types, redirect_uris,
  post_logout_redirect_uris, scopes, resources, id_token_signed_response_alg,
  backchannel_logout_uri, backchannel_logout_session_required, require_mfa, application_type,
  dpop_bound_access_tokens, web_origins, require_pushed_authorization_requests, first_party,
  id_token_on_refresh`;

/**
 * `$2, $3, …` for FIELD_COLUMNS, and the parameter after them: counted from the column list, so
 * a new column cannot leave a query's numbering behind.
 */
const FIELD_COUNT = FIELD_COLUMNS.split(',').length;
const FIELD_PARAMS = Array.from({ length: FIELD_COUNT }, (_, i) => `$${i + 2}`).join(', ');
const MANAGER_PARAM = FIELD_COUNT + 2;

/** A row as it stands, deleted or not (a deleted client's id stays taken). */
export interface ClientRecord {
  readonly client: StoredClient;
  readonly deleted: boolean;
}

/** Every live client, in id order. */
export async function selectLiveClients(db: Queryable): Promise<StoredClient[]> {
  const rows = await db.query<ClientRow>(
    `SELECT ${COLUMNS} FROM clients WHERE deleted_at IS NULL ORDER BY id`,
  );
  return rows.map(toClient);
}

/** The row under `id`, live or deleted; `lock` holds it until the transaction ends. */
export async function selectClientRecord(
  db: Queryable,
  id: string,
  lock = false,
): Promise<ClientRecord | null> {
  const rows = await db.query<ClientRow>(
    `SELECT ${COLUMNS} FROM clients WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? { client: toClient(rows[0]), deleted: rows[0].deleted_at !== null } : null;
}

/** One page of live clients in id order, after `after` (exclusive). */
export async function selectClientsPage(
  db: Queryable,
  page: { after: string | null; limit: number },
): Promise<StoredClient[]> {
  const rows = await db.query<ClientRow>(
    `SELECT ${COLUMNS} FROM clients
     WHERE deleted_at IS NULL AND ($1::text IS NULL OR id > $1)
     ORDER BY id LIMIT $2`,
    [page.after, page.limit],
  );
  return rows.map(toClient);
}

/** Inserts unless the id is taken (by a live or a deleted client); the row, or null. */
export async function insertClient(
  db: Queryable,
  client: Client,
  managedBy: ClientManager,
): Promise<StoredClient | null> {
  const rows = await db.query<ClientRow>(
    `INSERT INTO clients (id, ${FIELD_COLUMNS}, managed_by)
     VALUES ($1, ${FIELD_PARAMS}, $${MANAGER_PARAM})
     ON CONFLICT (id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [...fields(client), managedBy],
  );
  return rows[0] ? toClient(rows[0]) : null;
}

/** Replaces a live client's registration, moving its version on; the row, or null. */
export async function updateClient(
  db: Queryable,
  client: Client,
  managedBy: ClientManager,
): Promise<StoredClient | null> {
  const rows = await db.query<ClientRow>(
    `UPDATE clients SET (${FIELD_COLUMNS}, managed_by) =
       (${FIELD_PARAMS}, $${MANAGER_PARAM}),
       version = version + 1, updated_at = now()
     WHERE id = $1 AND deleted_at IS NULL
     RETURNING ${COLUMNS}`,
    [...fields(client), managedBy],
  );
  return rows[0] ? toClient(rows[0]) : null;
}

/**
 * Marks a live client deleted and forgets its secret; the row stays, so its id stays taken.
 * `by` is who deleted it (the API's deletions are final; the file may bring back its own).
 * True when a live client was deleted.
 */
export async function markClientDeleted(
  db: Queryable,
  id: string,
  by: ClientManager,
): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `UPDATE clients SET deleted_at = now(), secret_digest = NULL, managed_by = $2,
       version = version + 1, updated_at = now()
     WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
    [id, by],
  );
  return rows.length === 1;
}

/** Deletes the live clients the file made that it no longer lists; their ids. */
export async function markFileClientsDeleted(
  db: Queryable,
  keep: readonly string[],
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `UPDATE clients SET deleted_at = now(), secret_digest = NULL, version = version + 1,
       updated_at = now()
     WHERE managed_by = 'file' AND deleted_at IS NULL AND NOT (id = ANY($1::text[]))
     RETURNING id`,
    [[...keep]],
  );
  return rows.map((row) => row.id).sort();
}

/** Brings back a client the file made and later stopped listing; the row, or null. */
export async function reviveFileClient(
  db: Queryable,
  client: Client,
): Promise<StoredClient | null> {
  const rows = await db.query<ClientRow>(
    `UPDATE clients SET (${FIELD_COLUMNS}, managed_by) =
       (${FIELD_PARAMS}, 'file'),
       deleted_at = NULL, version = version + 1, updated_at = now()
     WHERE id = $1 AND deleted_at IS NOT NULL AND managed_by = 'file'
     RETURNING ${COLUMNS}`,
    fields(client),
  );
  return rows[0] ? toClient(rows[0]) : null;
}

function fields(client: Client): unknown[] {
  return [
    client.id,
    client.name,
    client.secretDigest?.toString('base64') ?? null,
    client.authMethod,
    [...client.grantTypes],
    [...client.redirectUris],
    [...client.postLogoutRedirectUris],
    [...client.scopes],
    [...client.resources],
    client.idTokenSignedResponseAlg,
    client.backchannelLogoutUri ?? null,
    client.backchannelLogoutSessionRequired ?? false,
    client.requireMfa ?? false,
    client.applicationType ?? 'web',
    client.dpopBoundAccessTokens ?? false,
    [...(client.webOrigins ?? [])],
    client.requirePushedAuthorizationRequests ?? false,
    client.firstParty ?? true,
    client.idTokenOnRefresh ?? false,
  ];
}

function toClient(row: ClientRow): StoredClient {
  return {
    id: row.id,
    name: row.name,
    secretDigest: row.secret_digest === null ? null : Buffer.from(row.secret_digest, 'base64'),
    authMethod: row.auth_method,
    grantTypes: row.grant_types,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    scopes: row.scopes,
    resources: row.resources,
    idTokenSignedResponseAlg: row.id_token_signed_response_alg,
    ...(row.backchannel_logout_uri !== null && {
      backchannelLogoutUri: row.backchannel_logout_uri,
    }),
    ...(row.backchannel_logout_session_required && { backchannelLogoutSessionRequired: true }),
    ...(row.require_mfa && { requireMfa: true }),
    ...(row.application_type === 'native' && { applicationType: 'native' as const }),
    ...(row.dpop_bound_access_tokens && { dpopBoundAccessTokens: true }),
    ...(row.web_origins.length > 0 && { webOrigins: row.web_origins }),
    ...(row.require_pushed_authorization_requests && {
      requirePushedAuthorizationRequests: true,
    }),
    ...(!row.first_party && { firstParty: false }),
    ...(row.id_token_on_refresh && { idTokenOnRefresh: true }),
    managedBy: row.managed_by,
    version: Number(row.version),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
