import type { OpenApiFragment } from '../admin-resource.js';
import { operation, pageOf, PAGE_PARAMETERS } from '../openapi-common.js';

const text = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'string', maxLength: 200 },
});
const time = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'string', format: 'date-time' },
});

const nullableText = { type: ['string', 'null'] };

const AuditEvent = {
  type: 'object',
  required: ['id', 'at', 'type', 'actor', 'detail'],
  properties: {
    id: { type: 'string', description: 'Increasing in the order events were written.' },
    at: { type: 'string', format: 'date-time' },
    type: { type: 'string', examples: ['user.disabled', 'session.revoked', 'key.rotated'] },
    actor: {
      type: 'object',
      required: ['kind'],
      properties: {
        kind: { enum: ['user', 'client', 'operator', 'system'] },
        id: { type: 'string' },
      },
    },
    subject: nullableText,
    client: nullableText,
    session: nullableText,
    address: nullableText,
    user_agent: nullableText,
    request_id: nullableText,
    detail: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
  },
};

export const auditOpenApi: OpenApiFragment = {
  paths: {
    '/audit-events': {
      get: operation({
        operationId: 'listAuditEvents',
        summary: 'Audit events, newest first, filtered',
        tag: 'audit',
        parameters: [
          text('type', 'Exact event type, e.g. `user.disabled`.'),
          text('actor', "The actor's id (a user id, a client id, an operator)."),
          text('subject', 'The user the event is about.'),
          text('client', 'The client id.'),
          time('from', 'Events at or after this time.'),
          time('to', 'Events before this time.'),
          ...PAGE_PARAMETERS,
        ],
        ok: { '200': pageOf('AuditEvent') },
        problems: [400],
      }),
    },
  },
  schemas: { AuditEvent },
};
