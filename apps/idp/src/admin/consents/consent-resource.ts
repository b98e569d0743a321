import type { AdminResource } from '../admin-resource.js';
import { consentOpenApi } from './consent-openapi.js';
import { consentRoutes } from './consent-routes.js';

export const consentsResource: AdminResource = {
  name: 'consents',
  routes: consentRoutes,
  openapi: consentOpenApi,
};
