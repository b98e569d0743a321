import type { AdminResource } from '../admin-resource.js';
import { sessionOpenApi } from './session-openapi.js';
import { sessionRoutes } from './session-routes.js';

export const sessionsResource: AdminResource = {
  name: 'sessions',
  routes: sessionRoutes,
  openapi: sessionOpenApi,
};
