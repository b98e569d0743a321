import type { Logger } from '../logger.js';
import type { Client } from './client.js';
import type { ClientImportOutcome, ClientRepository } from './client-repository.js';

/**
 * Imports CLIENTS_FILE into the table at start-up. The file keeps the clients it created in
 * step with it (edit the file, restart, and the change applies; take a client out, and it is
 * deleted), until the admin API changes one: from then on that client is the API's, and the
 * file never undoes the operator's change (nor brings back a client deleted through the API).
 * Such an entry is named in a warning at every start, so that the file and the table
 * differing is never silent. Idempotent: a second start with the same file changes nothing.
 *
 * `dropUnlisted` false keeps the file's clients that it no longer lists: for test IdPs that
 * share one database, each with a file of its own.
 */
export async function importClients(
  repository: ClientRepository,
  clients: readonly Client[],
  logger: Logger,
  options: { dropUnlisted: boolean } = { dropUnlisted: true },
): Promise<Record<ClientImportOutcome | 'dropped', number>> {
  const counts: Record<ClientImportOutcome | 'dropped', number> = {
    dropped: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    kept_api: 0,
    kept_deleted: 0,
  };
  for (const client of clients) {
    const outcome = await repository.import(client);
    counts[outcome] += 1;
    if (outcome === 'kept_api') {
      logger.warn('clients.file_entry_ignored', {
        client: client.id,
        detail:
          'changed through the admin API since: the stored registration wins; ' +
          'change it through the API, or remove it from CLIENTS_FILE',
      });
    } else if (outcome === 'kept_deleted') {
      logger.warn('clients.file_entry_ignored', {
        client: client.id,
        detail: 'deleted through the admin API: it stays deleted; remove it from CLIENTS_FILE',
      });
    }
  }
  if (options.dropUnlisted) {
    const dropped = await repository.dropUnlisted(clients.map((client) => client.id));
    counts.dropped = dropped.length;
    if (dropped.length > 0) {
      logger.warn('clients.file_clients_dropped', {
        clients: dropped.join(' ').slice(0, 2_000),
        detail: 'no longer in CLIENTS_FILE: deleted (listing one again brings it back)',
      });
    }
  }
  return counts;
}
