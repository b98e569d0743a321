import type { OpenApiFragment } from '../admin-resource.js';
import { operation, pageOf, PAGE_PARAMETERS, pathParameter, ref } from '../openapi-common.js';

const tag = 'users';
const id = pathParameter('id', 'The user id (the `sub` of their tokens).');
const etag = {
  ETag: { description: "The user's version, for If-Match.", schema: { type: 'string' } },
};

const User = {
  type: 'object',
  required: ['id', 'username', 'email', 'email_verified', 'name', 'roles', 'state'],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    email: { type: ['string', 'null'] },
    email_verified: { type: 'boolean' },
    name: { type: ['string', 'null'] },
    roles: { type: 'array', items: { type: 'string' } },
    state: { enum: ['active', 'disabled', 'pending'] },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    password_changed_at: { type: 'string', format: 'date-time' },
  },
};

const NewUser = {
  type: 'object',
  additionalProperties: false,
  required: ['username'],
  properties: {
    username: { type: 'string', maxLength: 64 },
    email: { type: 'string', maxLength: 254 },
    name: { type: 'string', maxLength: 200 },
    roles: { type: 'array', items: { type: 'string' }, maxItems: 20 },
    password: { type: 'string', maxLength: 1024, description: 'Omit to send a reset link.' },
  },
};

const UserChanges = {
  type: 'object',
  additionalProperties: false,
  description: 'Only the fields given change.',
  properties: {
    email: { type: ['string', 'null'], maxLength: 254 },
    email_verified: { type: 'boolean' },
    name: { type: ['string', 'null'], maxLength: 200 },
    roles: { type: 'array', items: { type: 'string' }, maxItems: 20 },
  },
};

const ResetLink = {
  type: 'object',
  required: ['url', 'purpose', 'expires_at'],
  properties: {
    url: { type: 'string', format: 'uri', description: 'Single use; replaces earlier links.' },
    purpose: { enum: ['reset', 'invite'] },
    expires_at: { type: 'string', format: 'date-time' },
  },
};

export const userOpenApi: OpenApiFragment = {
  paths: {
    '/users': {
      get: operation({
        operationId: 'listUsers',
        summary: 'List users in username order, or search them',
        tag,
        parameters: [
          {
            name: 'search',
            in: 'query',
            required: false,
            description: 'Part of the username, email or name, any case; taken literally.',
            schema: { type: 'string', maxLength: 200 },
          },
          ...PAGE_PARAMETERS,
        ],
        ok: { '200': pageOf('User') },
        problems: [400],
      }),
      post: operation({
        operationId: 'createUser',
        summary: 'Create a user',
        tag,
        body: ref('NewUser'),
        ok: { '201': ref('User') },
        okHeaders: etag,
        problems: [409],
      }),
    },
    '/users/{id}': {
      parameters: [id],
      get: operation({
        operationId: 'getUser',
        summary: 'Show a user',
        tag,
        ok: { '200': ref('User') },
        okHeaders: etag,
        problems: [404],
      }),
      patch: operation({
        operationId: 'updateUser',
        summary: "Change a user's email, name or roles",
        description:
          'Send `If-Match` with the ETag of the user as you read it: when the user changed ' +
          'since, the answer is 412 and nothing changes. Without it, the fields given are ' +
          'written over whatever is current (the others stay as they are).',
        tag,
        parameters: [
          { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } },
        ],
        body: ref('UserChanges'),
        ok: { '200': ref('User') },
        okHeaders: etag,
        problems: [404, 409, 412],
      }),
      delete: operation({
        operationId: 'deleteUser',
        summary: 'Delete a user (ends every session first)',
        tag,
        ok: { '204': null },
        problems: [404],
      }),
    },
    '/users/{id}/disable': {
      parameters: [id],
      post: operation({
        operationId: 'disableUser',
        summary: 'Disable a user: every session ends and their tokens are revoked',
        tag,
        ok: { '200': ref('User') },
        problems: [404],
      }),
    },
    '/users/{id}/enable': {
      parameters: [id],
      post: operation({
        operationId: 'enableUser',
        summary: 'Enable a disabled user',
        tag,
        ok: { '200': ref('User') },
        problems: [404],
      }),
    },
    '/users/{id}/reset-link': {
      parameters: [id],
      post: operation({
        operationId: 'createResetLink',
        summary: 'A single-use password reset link (an invitation link for a pending user)',
        tag,
        ok: { '201': ref('ResetLink') },
        problems: [404, 409],
      }),
    },
    '/users/{id}/reset-mfa': {
      parameters: [id],
      post: operation({
        operationId: 'resetUserMfa',
        summary: 'Remove every second factor of a user and end their sessions',
        tag,
        ok: { '204': null },
        problems: [404],
      }),
    },
  },
  schemas: { User, NewUser, UserChanges, ResetLink },
};
