import type { AddressInfo } from 'node:net';
import { createClientRegistry } from '../clients/client.js';
import { loadClientsFile } from '../clients/load-clients.js';
import { loadConfig, type Config } from '../config/config.js';
import { createIdp } from '../idp.js';
import type { KeyManager } from '../keys/key-manager.js';
import { silentLogger } from '../logger.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';

export interface TestIdp {
  url: string;
  config: Config;
  keys: KeyManager;
  store: Store;
  close(): Promise<void>;
}

/** The IdP built in-process on the memory store, listening on a free loopback port. */
export async function startTestIdp(
  env: Record<string, string> = {},
  store: Store = createMemoryStore(),
): Promise<TestIdp> {
  const config = loadConfig({ ISSUER: 'http://idp.localhost:4000', ...env });
  const clients = createClientRegistry(
    await loadClientsFile(config.clientsFile, { production: false }),
  );
  const { app, keys } = createIdp(config, { store, clients, logger: silentLogger });
  await keys.start();
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    keys,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await keys.stop();
      await store.close();
    },
  };
}

/** A `client_secret_basic` Authorization header value. */
export function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

export function form(params: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  return body;
}
