import type { AdminResource } from './admin-resource.js';
import { auditResource } from './audit/audit-resource.js';
import { clientsResource } from './clients/client-resource.js';
import { consentsResource } from './consents/consent-resource.js';
import { keysResource } from './keys/key-resource.js';
import { sessionsResource } from './sessions/session-resource.js';
import { usersResource } from './users/user-resource.js';

/**
 * Every resource of the admin API, in the document's order. Adding one is one line here: the
 * routes (admin-routes.ts) and the OpenAPI document (openapi.ts) both read this list.
 */
export const ADMIN_RESOURCES: readonly AdminResource[] = [
  usersResource,
  sessionsResource,
  consentsResource,
  clientsResource,
  keysResource,
  auditResource,
];
