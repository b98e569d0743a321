/** The parts of the admin API's OpenAPI document every resource shares, and helpers for theirs. */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

/** Responses by status, referenced from every operation (`#/components/responses/...`). */
const RESPONSES: Record<string, ReturnType<typeof problemResponse>> = {
  '400': problemResponse('Bad input: malformed JSON, unknown or bad fields, bad parameters'),
  '401': problemResponse('No token, or one that is invalid, expired, revoked or for another API'),
  '403': problemResponse('The token lacks the scope, or its user the admin role'),
  '404': problemResponse('No such resource'),
  '409': problemResponse('The change conflicts with the current state'),
  '412': problemResponse('If-Match does not match the current ETag'),
  '413': problemResponse('The body is too large'),
  '415': problemResponse('The body is not application/json'),
  '429': problemResponse(
    'The caller made too many calls (RATE_LIMIT_ADMIN_PER_CALLER); see Retry-After',
  ),
  '503': problemResponse('A store the IdP needs is unavailable; retry'),
};

const RESPONSE_NAMES: Record<string, string> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '409': 'Conflict',
  '412': 'PreconditionFailed',
  '413': 'ContentTooLarge',
  '415': 'UnsupportedMediaType',
  '429': 'TooManyRequests',
  '503': 'Unavailable',
};

export const COMMON_COMPONENTS = {
  securitySchemes: {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'A Latchkey access token (RFC 9068) whose audience is this API, with scope ' +
        '`latchkey:admin` (any call) or `latchkey:admin.read` (GET only). A user token also ' +
        'needs its session alive and the role `admin`.',
    },
  },
  parameters: {
    Limit: {
      name: 'limit',
      in: 'query',
      required: false,
      description: 'Items per page, 1 to 200 (default 50).',
      schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    },
    Cursor: {
      name: 'cursor',
      in: 'query',
      required: false,
      description: 'The `next_cursor` of the previous page; opaque and tamper-proof.',
      schema: { type: 'string' },
    },
  },
  responses: Object.fromEntries(
    Object.entries(RESPONSES).map(([status, response]) => [RESPONSE_NAMES[status]!, response]),
  ) as Record<string, ReturnType<typeof problemResponse>>,
};

export const COMMON_SCHEMAS = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details.',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: {
        type: 'string',
        format: 'uri',
        description: 'urn:latchkey:problem:<kind>, e.g. invalid-request, unauthorized, not-found.',
      },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      errors: {
        type: 'array',
        description: 'The fields or parameters that could not be taken.',
        items: {
          type: 'object',
          required: ['pointer', 'detail'],
          properties: {
            pointer: { type: 'string', description: 'JSON Pointer into the body, or a parameter.' },
            detail: { type: 'string' },
          },
        },
      },
    },
  },
};

export const COMMON_PATHS = {
  '/openapi.json': {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      security: [],
      responses: {
        '200': { description: 'The OpenAPI 3.1 document', content: { 'application/json': {} } },
      },
    },
  },
};

export interface OperationSpec {
  operationId: string;
  summary: string;
  tag: string;
  description?: string;
  parameters?: object[];
  /** A JSON Schema of the request body (application/json). */
  body?: object;
  /** Status → JSON Schema of the answer (or null: no body). */
  ok: Record<string, object | null>;
  /** Problem statuses beyond 401, 403, 429 and 503, which every operation may answer. */
  problems?: readonly (400 | 404 | 409 | 412 | 413 | 415)[];
  /** Headers of the success answer (e.g. ETag). */
  okHeaders?: Record<string, object>;
}

/** One OpenAPI Operation Object in this API's shape. */
export function operation(spec: OperationSpec): object {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(spec.ok)) {
    responses[status] = {
      description: status === '204' ? 'Done' : 'Success',
      ...(schema && { content: { 'application/json': { schema } } }),
      ...(spec.okHeaders && { headers: spec.okHeaders }),
    };
  }
  const problems = [
    ...(spec.problems ?? []),
    ...(spec.body ? [400, 413, 415] : []),
    401,
    403,
    429,
    503,
  ];
  for (const status of [...new Set(problems)].sort()) {
    responses[String(status)] = { $ref: `#/components/responses/${RESPONSE_NAMES[status]}` };
  }
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.description && { description: spec.description }),
    ...(spec.parameters && { parameters: spec.parameters }),
    ...(spec.body && {
      requestBody: { required: true, content: { 'application/json': { schema: spec.body } } },
    }),
    responses,
  };
}

export const PAGE_PARAMETERS = [
  { $ref: '#/components/parameters/Limit' },
  { $ref: '#/components/parameters/Cursor' },
];

export const pathParameter = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

/** `{ items, next_cursor }` of `item`. */
export const pageOf = (item: string) => ({
  type: 'object',
  required: ['items', 'next_cursor'],
  properties: {
    items: { type: 'array', items: ref(item) },
    next_cursor: { type: ['string', 'null'] },
  },
});

export { ref };
