import type { AdminResource } from '../admin-resource.js';
import { keyOpenApi } from './key-openapi.js';
import { keyRoutes } from './key-routes.js';

export const keysResource: AdminResource = {
  name: 'keys',
  routes: keyRoutes,
  openapi: keyOpenApi,
};
