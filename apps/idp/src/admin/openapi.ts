import type { AdminResource } from './admin-resource.js';
import { COMMON_PATHS, COMMON_SCHEMAS, COMMON_COMPONENTS } from './openapi-common.js';

/**
 * The admin API's OpenAPI 3.1 document: the common parts (security, problem details, page
 * parameters) and every resource's fragment. Served at /admin/v1/openapi.json; the tests
 * validate it and walk every operation in it against a running IdP.
 */
export function adminOpenApi(resources: readonly AdminResource[], issuer: string): object {
  const paths: Record<string, unknown> = { ...COMMON_PATHS };
  const schemas: Record<string, unknown> = { ...COMMON_SCHEMAS };
  for (const resource of resources) {
    for (const [path, item] of Object.entries(resource.openapi.paths)) {
      if (path in paths) throw new Error(`admin API: ${path} described twice`);
      paths[path] = item;
    }
    for (const [name, schema] of Object.entries(resource.openapi.schemas)) {
      if (name in schemas) throw new Error(`admin API: schema ${name} defined twice`);
      schemas[name] = schema;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey admin API',
      version: '1.0.0',
      description:
        'Users, sessions, signing keys and the audit trail of a Latchkey IdP. Authenticate with a ' +
        'Latchkey access token for the resource `' +
        `${issuer}/admin/v1` +
        '` carrying `latchkey:admin` (or `latchkey:admin.read` for GET). Errors are RFC 9457 ' +
        'problem details. Listings are cursor-paginated: pass `next_cursor` back as `cursor`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: `${issuer}/admin/v1` }],
    security: [{ bearer: [] }],
    tags: resources.map((resource) => ({ name: resource.name })),
    paths,
    components: { ...COMMON_COMPONENTS, schemas },
  };
}
