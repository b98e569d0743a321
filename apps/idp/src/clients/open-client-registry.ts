import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Client } from './client.js';
import { createClientRepository } from './client-repository.js';
import { importClients } from './import-clients.js';
import { createStoredClientRegistry, type StoredClientRegistry } from './stored-client-registry.js';

/**
 * Start-up: CLIENTS_FILE's clients imported into the (migrated) database, then every live
 * client loaded into memory. The caller starts the periodic refresh and stops it at shutdown.
 */
export async function openClientRegistry(deps: {
  database: Database;
  fileClients: readonly Client[];
  refreshIntervalMs: number;
  logger: Logger;
  /** Delete the file's clients it no longer lists (default true; see importClients). */
  dropUnlisted?: boolean;
}): Promise<StoredClientRegistry> {
  const repository = createClientRepository(deps.database);
  const counts = await importClients(repository, deps.fileClients, deps.logger, {
    dropUnlisted: deps.dropUnlisted ?? true,
  });
  deps.logger.info('clients.imported', counts);
  const registry = createStoredClientRegistry({
    repository,
    refreshIntervalMs: deps.refreshIntervalMs,
    logger: deps.logger,
  });
  await registry.load();
  return registry;
}
