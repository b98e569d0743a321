import { createConsentGrants } from '../consent/consent-grants.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser } from '../test-support/account-flows.js';
import { admin, opsToken, type AdminAnswer } from '../test-support/admin-api.js';
import { startTestIdp, type TestIdp } from '../test-support/test-idp.js';
import type { AdminDeps } from './admin-deps.js';
import { ADMIN_RESOURCES } from './admin-resources.js';
import { ADMIN_PREFIX, adminRouters } from './admin-routes.js';
import { clientWalk } from '../test-support/admin-client-walk.js';

/**
 * The OpenAPI document against the implementation: it validates as OpenAPI 3.1, every route
 * of every resource's router is in it, and every operation in it, called with a valid request
 * against a running IdP, answers a status it lists with a body its schema accepts.
 *
 * A new operation needs an entry in WALK (below): the test fails for an operation it cannot
 * call, so the document cannot promise what nothing tried.
 */

interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, ResponseSpec> };
}
interface ResponseSpec {
  $ref?: string;
  content?: Record<string, { schema?: unknown }>;
}
interface OperationSpec {
  operationId: string;
  responses: Record<string, ResponseSpec>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

let idp: TestIdp;
let token: string;
let doc: OpenApiDoc;
beforeAll(async () => {
  idp = await startTestIdp();
  token = await opsToken(idp);
  doc = (await (await fetch(`${idp.url}${ADMIN_PREFIX}/openapi.json`)).json()) as OpenApiDoc;
});
afterAll(() => idp.close());

function operations(): { path: string; method: string; op: OperationSpec }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      path,
      method,
      op: item[method] as OperationSpec,
    })),
  );
}

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1, every $ref resolving', async () => {
    const validator = new Validator();
    const result = await validator.validate(
      structuredClone(doc) as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('describes every route the routers hold, and nothing they lack', () => {
    // Building the routers touches no dependency: only the route table is read here.
    const routers = adminRouters({} as AdminDeps, ADMIN_RESOURCES);
    const routed = new Set<string>();
    for (const router of routers) {
      for (const layer of router.stack) {
        const path = String(layer.path)
          .slice(ADMIN_PREFIX.length)
          .replace(/:(\w+)/g, '{$1}');
        for (const method of layer.methods) {
          if (method !== 'HEAD') routed.add(`${method.toLowerCase()} ${path}`);
        }
      }
    }
    const documented = new Set(
      operations()
        .filter(({ path }) => path !== '/openapi.json')
        .map(({ path, method }) => `${method} ${path}`),
    );
    expect([...routed].sort()).toEqual([...documented].sort());
  });

  it('names each operation once', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

interface WalkRequest {
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Default the ops token; null for none. */
  token?: string | null;
}

const unique = () => Math.random().toString(36).slice(2, 10);

async function newUser(prefix = 'walk') {
  return createTestUser(idp, { prefix });
}

/** A valid request for each operation, by operationId; fixtures made as each one needs. */
const WALK: Record<string, () => Promise<WalkRequest>> = {
  getOpenApiDocument: () => Promise.resolve({ path: '/openapi.json', token: null }),
  listUsers: () => Promise.resolve({ path: '/users?limit=2' }),
  createUser: () =>
    Promise.resolve({
      path: '/users',
      body: { username: `walk-${unique()}`, roles: ['user'], name: 'Walker' },
    }),
  getUser: async () => ({ path: `/users/${(await newUser()).id}` }),
  updateUser: async () => {
    const user = await newUser();
    const etag = (await admin(idp, token, 'GET', `/users/${user.id}`)).headers.get('etag')!;
    return {
      path: `/users/${user.id}`,
      body: { name: 'Walked', roles: ['user'] },
      headers: { 'If-Match': etag },
    };
  },
  deleteUser: async () => ({ path: `/users/${(await newUser()).id}` }),
  disableUser: async () => ({ path: `/users/${(await newUser()).id}/disable` }),
  enableUser: async () => ({ path: `/users/${(await newUser()).id}/enable` }),
  createResetLink: async () => ({ path: `/users/${(await newUser()).id}/reset-link` }),
  resetUserMfa: async () => ({ path: `/users/${(await newUser()).id}/reset-mfa` }),
  listSessions: async () => ({ path: `/sessions?user_id=${(await userWithSession()).user.id}` }),
  listUserSessions: async () => ({ path: `/users/${(await userWithSession()).user.id}/sessions` }),
  getSession: async () => ({ path: `/sessions/${(await userWithSession()).sid}` }),
  revokeSession: async () => ({ path: `/sessions/${(await userWithSession()).sid}` }),
  revokeUserSessions: async () => ({
    path: `/users/${(await userWithSession()).user.id}/sessions`,
  }),
  listUserConsents: async () => ({ path: `/users/${(await userWithConsent()).id}/consents` }),
  revokeUserConsent: async () => ({
    path: `/users/${(await userWithConsent()).id}/consents/partner`,
  }),
  listKeys: () => Promise.resolve({ path: '/keys' }),
  rotateKeys: () => Promise.resolve({ path: '/keys/rotate' }),
  revokeKey: async () => {
    // A key that no longer signs: revoking it leaves the walk's token valid.
    await idp.keys.rotateNow();
    const retired = idp.keys.list().find((key) => key.state === 'retired')!;
    return { path: `/keys/${retired.kid}/revoke` };
  },
  listAuditEvents: () => Promise.resolve({ path: '/audit-events?limit=5&type=user.created' }),
  ...clientWalk(() => idp),
};

/** A user who allowed the demo's third-party client (consent/). */
async function userWithConsent() {
  const user = await newUser();
  await createConsentGrants(idp.database).grant(user.id, 'partner', ['openid', 'profile']);
  return user;
}

async function userWithSession() {
  const user = await newUser();
  const session = await idp.sessions.create({ sub: user.id, username: user.username }, Date.now());
  return { user, sid: session.sid };
}

describe('a walk of every operation in the document', () => {
  it('has a request for every operation', () => {
    const missing = operations()
      .map(({ op }) => op.operationId)
      .filter((id) => !(id in WALK));
    expect(missing).toEqual([]);
  });

  it('calls each one against the running IdP: a listed status, a body its schema accepts', async () => {
    const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
    const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, validateSchema: false }));
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const checkWith = (schema: unknown) =>
      ajv.compile(
        JSON.parse(
          JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'),
        ) as object,
      );

    for (const { path, method, op } of operations()) {
      const request = await WALK[op.operationId]!();
      // Read-only calls walk with the read-only scope: the document promises they take it.
      const reading = method === 'get';
      const bearer =
        request.token === null
          ? undefined
          : reading
            ? await opsToken(idp, 'latchkey:admin.read')
            : token;
      const answer: AdminAnswer = await admin(idp, bearer, method.toUpperCase(), request.path, {
        ...(request.body !== undefined && { body: request.body }),
        ...(request.headers && { headers: request.headers }),
      });
      const where = `${method.toUpperCase()} ${path} → ${answer.status} ${answer.text.slice(0, 200)}`;
      expect(answer.status, where).toBeGreaterThanOrEqual(200);
      expect(answer.status, where).toBeLessThan(300);
      const listed = op.responses[String(answer.status)];
      expect(listed, where).toBeDefined();
      const spec = listed!.$ref
        ? doc.components.responses[listed!.$ref.split('/').pop()!]!
        : listed!;
      if (!spec.content) {
        expect(answer.text, where).toBe('');
        continue;
      }
      const [mediaType, media] = Object.entries(spec.content)[0]!;
      expect(answer.headers.get('content-type'), where).toContain(mediaType);
      if (media.schema) {
        const check = checkWith(media.schema);
        expect(check(answer.body), `${where} ${JSON.stringify(check.errors)}`).toBe(true);
      }
    }
  });
});
