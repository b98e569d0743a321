import type { AdminResource } from '../admin-resource.js';
import { auditOpenApi } from './audit-openapi.js';
import { auditRoutes } from './audit-routes.js';

export const auditResource: AdminResource = {
  name: 'audit',
  routes: auditRoutes,
  openapi: auditOpenApi,
};
