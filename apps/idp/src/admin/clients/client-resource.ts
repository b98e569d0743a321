import type { AdminResource } from '../admin-resource.js';
import { clientOpenApi } from './client-openapi.js';
import { clientRoutes } from './client-routes.js';

export const clientsResource: AdminResource = {
  name: 'clients',
  routes: clientRoutes,
  openapi: clientOpenApi,
};
