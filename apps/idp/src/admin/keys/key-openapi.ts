import type { OpenApiFragment } from '../admin-resource.js';
import { operation, pageOf, pathParameter } from '../openapi-common.js';

const tag = 'keys';
const date = { type: ['string', 'null'], format: 'date-time' };

const SigningKey = {
  type: 'object',
  required: ['kid', 'alg', 'state', 'created_at', 'activated_at', 'retired_at', 'revoked_at'],
  properties: {
    kid: { type: 'string' },
    alg: { type: 'string' },
    state: {
      enum: ['pending', 'active', 'retired', 'revoked'],
      description: 'pending: published, not signing yet; retired: published, no longer signing.',
    },
    created_at: { type: 'string', format: 'date-time' },
    activated_at: date,
    retired_at: date,
    revoked_at: date,
  },
};

const keyList = pageOf('SigningKey');

export const keyOpenApi: OpenApiFragment = {
  paths: {
    '/keys': {
      get: operation({
        operationId: 'listKeys',
        summary: 'Every signing key with its state and dates (one page)',
        tag,
        ok: { '200': keyList },
      }),
    },
    '/keys/rotate': {
      post: operation({
        operationId: 'rotateKeys',
        summary: 'Rotate now: the pending keys start signing, the active ones retire',
        tag,
        ok: { '200': keyList },
      }),
    },
    '/keys/{kid}/revoke': {
      parameters: [pathParameter('kid', 'The key id.')],
      post: operation({
        operationId: 'revokeKey',
        summary: 'Revoke a (compromised) key: its tokens are refused at once',
        tag,
        ok: { '200': keyList },
        problems: [404],
      }),
    },
  },
  schemas: { SigningKey },
};
