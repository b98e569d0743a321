import type { Logger } from '../logger.js';
import type { Client, ClientRegistry } from './client.js';
import type { ClientRepository } from './client-repository.js';

/**
 * The IdP's registry: the clients of PostgreSQL, held in memory so that `find` stays a
 * synchronous map look-up on the hot path of /token. Loaded before serving, reloaded after
 * every change made through this instance (client-service.ts), and refreshed every
 * `refreshIntervalMs`, which is how a change made by another instance arrives here.
 */
export interface StoredClientRegistry extends ClientRegistry {
  /** The first load; throws when the database cannot be read (start-up stops). */
  load(): Promise<void>;
  /**
   * Reads the table again. A failure is logged and the clients already held are kept: a
   * database outage must not make every client unknown.
   */
  reload(): Promise<void>;
  /** Starts the periodic refresh (an unref'd timer). */
  start(): void;
  stop(): void;
}

export function createStoredClientRegistry(deps: {
  repository: ClientRepository;
  refreshIntervalMs: number;
  logger: Logger;
}): StoredClientRegistry {
  let clients: readonly Client[] = [];
  let byId = new Map<string, Client>();
  let timer: NodeJS.Timeout | undefined;
  // Loads can overlap (a refresh and a change's reload): each takes a ticket, and a result
  // is kept only if no later-started load was applied first, so an older read never
  // replaces a newer one.
  let issued = 0;
  let applied = 0;

  const read = async () => {
    const ticket = ++issued;
    const loaded = await deps.repository.all();
    if (ticket < applied) return;
    applied = ticket;
    clients = loaded;
    byId = new Map(loaded.map((client) => [client.id, client]));
  };

  const reload = async () => {
    try {
      await read();
    } catch (error) {
      deps.logger.warn('clients.reload_failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  return {
    find: (id) => byId.get(id),
    all: () => clients,
    load: read,
    reload,
    start() {
      if (timer) return;
      timer = setInterval(() => void reload(), deps.refreshIntervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
