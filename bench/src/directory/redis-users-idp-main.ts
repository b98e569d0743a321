/**
 * The directory case's baseline IdP: the built IdP's own modules, wired as its main.ts wires
 * them, except that the users live in Redis (redis-user-repository.ts), as before the
 * directory moved to PostgreSQL. The database is still opened (in memory) for whatever else
 * the IdP keeps there; logins and token grants read users from Redis only. Bench-only: run by
 * startBenchIdp with the same environment as the real IdP.
 */
import { createClientRegistry } from '@latchkey/idp/dist/clients/client.js';
import { loadClientsFile } from '@latchkey/idp/dist/clients/load-clients.js';
import { loadConfig } from '@latchkey/idp/dist/config/config.js';
import { migrate } from '@latchkey/idp/dist/db/migration.js';
import { MIGRATIONS } from '@latchkey/idp/dist/db/migrations/index.js';
import { openDatabase } from '@latchkey/idp/dist/db/open-database.js';
import { createHttpServer } from '@latchkey/idp/dist/http/http-server.js';
import { createIdp } from '@latchkey/idp/dist/idp.js';
import { createLogger } from '@latchkey/idp/dist/logger.js';
import { createStore } from '@latchkey/idp/dist/store/create-store.js';
import { importUsers, loadUsersFile } from '@latchkey/idp/dist/users/load-users.js';
import { createRedisUserRepository } from './redis-user-repository.js';

const config = loadConfig(process.env);
const logger = createLogger(config.logLevel, undefined, { service: 'latchkey-idp-redis-users' });
const clients = await loadClientsFile(config.clientsFile, { production: false });
const database = await openDatabase(config.database);
await migrate(database, MIGRATIONS);
const store = createStore(config.storeUrl);
const users = createRedisUserRepository(store);
if (config.usersFile) {
  await importUsers(users, await loadUsersFile(config.usersFile, { production: false }));
}
const { handler, keys } = createIdp(config, {
  store,
  database,
  clients: createClientRegistry(clients),
  logger,
  users,
});
await keys.start();
const server = createHttpServer(handler).listen(config.port, config.host);
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void keys
    .stop()
    .then(() => store.close())
    .then(() => database.close())
    .finally(() => process.exit(0));
});
