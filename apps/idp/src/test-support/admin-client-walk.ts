import type { TestIdp } from './test-idp.js';
import { WIKI_API } from './grants.js';

/**
 * The clients resource's entries for the OpenAPI walk (admin/openapi.test.ts `WALK`): a valid
 * request per operation, each on a client of its own made through the service. Spread into
 * WALK with a getter of the walk's IdP: `...clientWalk(() => idp)`.
 */
export function clientWalk(
  idp: () => TestIdp,
): Record<
  string,
  () => Promise<{ path: string; body?: unknown; headers?: Record<string, string> }>
> {
  let serial = 0;
  const fresh = (extra: Record<string, unknown> = {}) => ({
    client_id: `walk-client-${process.pid}-${++serial}`,
    grant_types: ['client_credentials'],
    resources: [WIKI_API],
    ...extra,
  });
  const registered = async () => {
    const { client } = await idp().clientService.register(fresh(), {
      actor: { kind: 'operator', id: 'openapi-walk' },
    });
    return client;
  };
  return {
    listClients: () => Promise.resolve({ path: '/clients?limit=2' }),
    registerClient: () =>
      Promise.resolve({
        path: '/clients',
        body: fresh({ client_name: 'Walker', first_party: false }),
      }),
    getClient: async () => ({ path: `/clients/${(await registered()).id}` }),
    updateClient: async () => {
      const client = await registered();
      return {
        path: `/clients/${client.id}`,
        body: { client_name: 'Walked', scope: null },
        headers: { 'If-Match': `"v${client.version}"` },
      };
    },
    deleteClient: async () => ({ path: `/clients/${(await registered()).id}` }),
    rotateClientSecret: async () => ({ path: `/clients/${(await registered()).id}/rotate-secret` }),
  };
}
