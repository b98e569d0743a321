import type { AdminResource } from '../admin-resource.js';
import { userOpenApi } from './user-openapi.js';
import { userRoutes } from './user-routes.js';

export const usersResource: AdminResource = {
  name: 'users',
  routes: userRoutes,
  openapi: userOpenApi,
};
