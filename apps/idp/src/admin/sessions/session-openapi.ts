import type { OpenApiFragment } from '../admin-resource.js';
import { operation, pageOf, PAGE_PARAMETERS, pathParameter, ref } from '../openapi-common.js';

const tag = 'sessions';
const sid = pathParameter('sid', 'The session id (the `sid` claim of its tokens).');
const userId = pathParameter('id', 'The user id.');

const Session = {
  type: 'object',
  required: ['sid', 'user_id', 'username', 'created_at', 'expires_at', 'amr', 'acr'],
  properties: {
    sid: { type: 'string' },
    user_id: { type: 'string' },
    username: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    last_seen_at: { type: 'string', format: 'date-time' },
    expires_at: { type: 'string', format: 'date-time' },
    auth_time: { type: 'string', format: 'date-time' },
    amr: { type: 'array', items: { type: 'string' } },
    acr: { type: 'string' },
    user_agent: { type: ['string', 'null'] },
    address: { type: ['string', 'null'] },
  },
};

const listOperation = (operationId: string, parameters: object[]) =>
  operation({
    operationId,
    summary: 'List the live sessions of a user, newest first',
    tag,
    parameters: [...parameters, ...PAGE_PARAMETERS],
    ok: { '200': pageOf('Session') },
    problems: [400, 404],
  });

export const sessionOpenApi: OpenApiFragment = {
  paths: {
    '/sessions': {
      get: listOperation('listSessions', [
        { name: 'user_id', in: 'query', required: true, schema: { type: 'string' } },
      ]),
    },
    '/sessions/{sid}': {
      parameters: [sid],
      get: operation({
        operationId: 'getSession',
        summary: 'Show a live session',
        tag,
        ok: { '200': ref('Session') },
        problems: [404],
      }),
      delete: operation({
        operationId: 'revokeSession',
        summary: 'Revoke a session and every token issued in it',
        tag,
        ok: { '204': null },
        problems: [404],
      }),
    },
    '/users/{id}/sessions': {
      parameters: [userId],
      get: listOperation('listUserSessions', []),
      delete: operation({
        operationId: 'revokeUserSessions',
        summary: 'Revoke every session of a user and every token issued to them until now',
        tag,
        ok: {
          '200': {
            type: 'object',
            required: ['revoked'],
            properties: { revoked: { type: 'integer', minimum: 0 } },
          },
        },
        problems: [404],
      }),
    },
  },
  schemas: { Session },
};
