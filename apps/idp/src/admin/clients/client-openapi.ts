import type { OpenApiFragment } from '../admin-resource.js';
import { operation, pageOf, PAGE_PARAMETERS, pathParameter, ref } from '../openapi-common.js';

const tag = 'clients';
const id = pathParameter('id', 'The client_id.');
const etag = {
  ETag: { description: "The client's version, for If-Match.", schema: { type: 'string' } },
};
const uris = (description: string) => ({
  type: 'array',
  maxItems: 50,
  items: { type: 'string', format: 'uri', maxLength: 2000 },
  description,
});

/** RFC 7591 §2 metadata, as Latchkey takes it (DESIGN.md "Client registration"). */
const metadata = {
  client_name: { type: 'string', maxLength: 200, description: 'Shown to users; any script.' },
  token_endpoint_auth_method: {
    enum: ['client_secret_basic', 'client_secret_post', 'none'],
    default: 'client_secret_basic',
  },
  grant_types: {
    type: 'array',
    items: {
      enum: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
    },
    default: ['authorization_code', 'refresh_token'],
  },
  redirect_uris: uris(
    'Exact-match redirect URIs: https, http on a loopback host, or a private-use scheme; no fragment.',
  ),
  post_logout_redirect_uris: uris('Where RP-initiated logout may send the user back.'),
  scope: { type: 'string', description: 'Space-separated scopes beyond the OpenID ones.' },
  resources: uris('The APIs (RFC 8707) its tokens may name; the default audience. At least one.'),
  id_token_signed_response_alg: {
    enum: ['RS256', 'ES256', 'EdDSA'],
    default: 'RS256',
    description: 'Refused unless the IdP signs with it.',
  },
  backchannel_logout_uri: { type: 'string', format: 'uri', maxLength: 2000 },
  backchannel_logout_session_required: { type: 'boolean', default: false },
  require_mfa: { type: 'boolean', default: false },
  id_token_on_refresh: {
    type: 'boolean',
    default: false,
    description:
      'A refresh answer carries a new ID token (OIDC Core 12.2 lets it leave one out, the default).',
  },
  application_type: {
    enum: ['web', 'native'],
    default: 'web',
    description:
      'native (RFC 8252): loopback redirect URIs match any port, private-use schemes allowed, localhost by name refused.',
  },
  dpop_bound_access_tokens: {
    type: 'boolean',
    default: false,
    description: 'RFC 9449 §5.2: every token request must carry a DPoP proof.',
  },
  web_origins: {
    type: 'array',
    items: { type: 'string', format: 'uri', maxLength: 2000 },
    maxItems: 50,
    default: [],
    description:
      'Browser origins (scheme://host[:port]) allowed to call /token, /revoke and /userinfo, besides those of the redirect URIs.',
  },
  require_pushed_authorization_requests: {
    type: 'boolean',
    default: false,
    description:
      'RFC 9126 §5: /authorize accepts this client only through a pushed request (POST /par).',
  },
  first_party: {
    type: 'boolean',
    default: true,
    description:
      "The operator's own application: never shows a consent page. false: a third party; the user is asked to allow the scopes it requests, once per new scope.",
  },
};

const Client = {
  type: 'object',
  required: [
    'client_id',
    'client_name',
    'token_endpoint_auth_method',
    'grant_types',
    'redirect_uris',
    'post_logout_redirect_uris',
    'scope',
    'resources',
    'id_token_signed_response_alg',
    'managed_by',
    'version',
  ],
  properties: {
    client_id: { type: 'string' },
    ...metadata,
    managed_by: {
      enum: ['file', 'api'],
      description:
        '`file`: CLIENTS_FILE keeps it in step at each start; `api`: changed through this API, ' +
        'which the file never undoes.',
    },
    version: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    client_id_issued_at: { type: 'integer' },
    client_secret: {
      type: 'string',
      description: 'Only in the answer that made it (registration, rotation); never shown again.',
    },
    client_secret_expires_at: { type: 'integer', const: 0 },
  },
};

const NewClient = {
  type: 'object',
  additionalProperties: false,
  description:
    'The secret of a confidential client is generated and returned once; `client_id` is ' +
    'generated when not given.',
  properties: {
    client_id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    ...metadata,
  },
};

const nullable = (schema: Record<string, unknown>) =>
  'enum' in schema
    ? { ...schema, enum: [...(schema.enum as unknown[]), null] }
    : { ...schema, type: [schema.type, 'null'] };

const ClientChanges = {
  type: 'object',
  additionalProperties: false,
  description:
    'Only the fields given change; null resets one to its default (RFC 7396). Turning a ' +
    'public client confidential returns its new secret once.',
  properties: Object.fromEntries(
    Object.entries(metadata).map(([name, schema]) => [name, nullable(schema)]),
  ),
};

export const clientOpenApi: OpenApiFragment = {
  paths: {
    '/clients': {
      get: operation({
        operationId: 'listClients',
        summary: 'List the registered clients in client_id order',
        tag,
        parameters: [...PAGE_PARAMETERS],
        ok: { '200': pageOf('Client') },
        problems: [400],
      }),
      post: operation({
        operationId: 'registerClient',
        summary: 'Register a client (its secret is in the answer, once)',
        tag,
        body: ref('NewClient'),
        ok: { '201': ref('Client') },
        okHeaders: etag,
        problems: [409],
      }),
    },
    '/clients/{id}': {
      parameters: [id],
      get: operation({
        operationId: 'getClient',
        summary: 'Show a client (never its secret)',
        tag,
        ok: { '200': ref('Client') },
        okHeaders: etag,
        problems: [404],
      }),
      patch: operation({
        operationId: 'updateClient',
        summary: "Change some of a client's metadata",
        description:
          'Send `If-Match` with the ETag of the client as you read it: when it changed since, ' +
          'the answer is 412 and nothing changes. Without it, the fields given are laid over ' +
          'whatever is current, and the result must pass every registration rule.',
        tag,
        parameters: [
          { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } },
        ],
        body: ref('ClientChanges'),
        ok: { '200': ref('Client') },
        okHeaders: etag,
        problems: [404, 412],
      }),
      delete: operation({
        operationId: 'deleteClient',
        summary: 'Delete a client',
        description:
          'It can no longer authenticate, so its codes, refresh tokens and client credentials ' +
          'are refused from then on (other IdP instances within CLIENTS_REFRESH_INTERVAL). ' +
          'Its client_id is never registered again.',
        tag,
        ok: { '204': null },
        problems: [404],
      }),
    },
    '/clients/{id}/rotate-secret': {
      parameters: [id],
      post: operation({
        operationId: 'rotateClientSecret',
        summary: 'A new secret, in the answer once; the old one stops working',
        tag,
        ok: { '200': ref('Client') },
        okHeaders: etag,
        problems: [400, 404],
      }),
    },
  },
  schemas: { Client, NewClient, ClientChanges },
};
