import type { OpenApiFragment } from '../admin-resource.js';
import { operation, pathParameter } from '../openapi-common.js';

const tag = 'consents';
const userId = pathParameter('id', 'The user id.');
const clientId = pathParameter('client', 'The third-party client id.');

const Consent = {
  type: 'object',
  required: ['client_id', 'client_name', 'scope', 'granted_at'],
  properties: {
    client_id: { type: 'string' },
    client_name: { type: 'string' },
    scope: { type: 'string', description: 'Every scope the user allowed, space-separated.' },
    granted_at: { type: 'string', format: 'date-time' },
  },
};

export const consentOpenApi: OpenApiFragment = {
  paths: {
    '/users/{id}/consents': {
      parameters: [userId],
      get: operation({
        operationId: 'listUserConsents',
        summary: 'List the third-party clients (first_party: false) a user allowed',
        tag,
        ok: {
          '200': {
            type: 'object',
            required: ['items'],
            properties: {
              items: { type: 'array', items: { $ref: '#/components/schemas/Consent' } },
            },
          },
        },
        problems: [404],
      }),
    },
    '/users/{id}/consents/{client}': {
      parameters: [userId, clientId],
      delete: operation({
        operationId: 'revokeUserConsent',
        summary:
          "Remove a client's access: the consent and that client's refresh tokens for the user",
        tag,
        ok: { '204': null },
        problems: [404],
      }),
    },
  },
  schemas: { Consent },
};
