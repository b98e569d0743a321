import { readFile } from 'node:fs/promises';
import type { Client } from './client.js';
import { validateRegistration } from './client-validation.js';

/** CLIENTS_FILE cannot be used; `problems` holds one line per bad entry. */
export class ClientsFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ClientsFileError';
  }
}

export async function loadClientsFile(
  path: string,
  options: { production: boolean },
): Promise<Client[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ClientsFileError([`CLIENTS_FILE: cannot read ${path}`]);
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw new ClientsFileError([`CLIENTS_FILE: ${path} is not valid JSON`]);
  }
  return parseClients(entries, options);
}

/**
 * Validates the registrations (the rules are client-validation.ts's, the same as the admin
 * API's). Each entry: `client_id`, `client_secret` (plain, hashed at load) or
 * `client_secret_sha256` (base64 digest), `token_endpoint_auth_method`, `grant_types`,
 * `redirect_uris`, `post_logout_redirect_uris`, `scope`, `resources`, optional `client_name`,
 * `id_token_signed_response_alg`, `backchannel_logout_uri`,
 * `backchannel_logout_session_required`, `require_mfa`, `id_token_on_refresh` and
 * `first_party` (default true).
 */
export function parseClients(entries: unknown, options: { production: boolean }): Client[] {
  if (!Array.isArray(entries)) throw new ClientsFileError(['CLIENTS_FILE: must hold a JSON array']);
  const problems: string[] = [];
  const clients: Client[] = [];
  const seen = new Set<string>();
  entries.forEach((entry: unknown, index) => {
    const at = `CLIENTS_FILE: client #${index}`;
    const result = validateRegistration(entry, options);
    const id = (entry as { client_id?: unknown } | null)?.client_id;
    if (typeof id === 'string' && result.client) {
      if (seen.has(id)) return problems.push(`${at}: client_id "${id}" is registered twice`);
      seen.add(id);
    }
    for (const text of result.problems) problems.push(`${at}: ${text}`);
    if (result.client) clients.push(result.client);
  });
  if (problems.length > 0) throw new ClientsFileError(problems);
  return clients;
}
