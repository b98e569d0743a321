import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { StoredClient } from '../../clients/client.js';
import { changedBy, pathParam } from '../admin-auth.js';
import type { AdminDeps } from '../admin-deps.js';
import { AdminProblem } from '../admin-problem.js';
import { pageParams } from '../cursor.js';
import { readJsonBody, type BodyShape, type FieldCheck } from '../json-body.js';
import { ifMatchVersion } from '../users/user-json.js';
import { clientEtag, clientJson } from './client-json.js';
import { clientProblem } from './client-problem.js';

// The shapes only check types and bound sizes; the registration rules are the clients
// service's (clients/client-validation.ts), the same as CLIENTS_FILE's.
const string: FieldCheck = (value) => (typeof value === 'string' ? undefined : 'a string');
const boolean: FieldCheck = (value) => (typeof value === 'boolean' ? undefined : 'a boolean');
const strings: FieldCheck = (value) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? undefined
    : 'a list of strings';
const generated: FieldCheck = () =>
  'the IdP generates the secret (POST /clients/{id}/rotate-secret for a new one)';
const nullable =
  (check: FieldCheck): FieldCheck =>
  (value) =>
    value === null ? undefined : check(value);

const NEW_CLIENT: BodyShape = {
  client_id: string,
  client_name: string,
  token_endpoint_auth_method: string,
  grant_types: strings,
  redirect_uris: strings,
  post_logout_redirect_uris: strings,
  scope: string,
  resources: strings,
  id_token_signed_response_alg: string,
  backchannel_logout_uri: string,
  backchannel_logout_session_required: boolean,
  require_mfa: boolean,
  application_type: string,
  dpop_bound_access_tokens: boolean,
  web_origins: strings,
  require_pushed_authorization_requests: boolean,
  first_party: boolean,
  id_token_on_refresh: boolean,
  client_secret: generated,
  client_secret_sha256: generated,
};

/** null resets a field to its default (JSON merge patch, RFC 7396). */
const CLIENT_CHANGES: BodyShape = Object.fromEntries(
  Object.entries(NEW_CLIENT).map(([name, check]) => [
    name,
    name.startsWith('client_secret') || name === 'client_id' ? check : nullable(check),
  ]),
);

/** Clients: the clients service (clients/client-service.ts) over HTTP, each change audited. */
export function clientRoutes(deps: AdminDeps): Router {
  const router = new Router();
  const service = deps.clientService;
  const answer = (ctx: Context, client: StoredClient, secret: string | null, status = 200) => {
    ctx.status = status;
    ctx.set('ETag', clientEtag(client));
    // A secret is a credential: no cache may keep the answer that holds it (nor any other).
    ctx.set('Cache-Control', 'no-store');
    ctx.body = clientJson(client, secret);
  };
  const mapped =
    (handler: (ctx: Context) => Promise<void>) =>
    async (ctx: Context): Promise<void> => {
      try {
        await handler(ctx);
      } catch (caught) {
        throw clientProblem(caught);
      }
    };

  router.get(
    '/clients',
    mapped(async (ctx) => {
      const { limit, cursor } = pageParams(ctx);
      const after = cursor === undefined ? null : deps.cursors.open('clients', cursor);
      const page = await service.list({ after, limit });
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        items: page.clients.map((client) => clientJson(client)),
        next_cursor: page.next === null ? null : deps.cursors.seal('clients', page.next),
      };
    }),
  );

  router.post(
    '/clients',
    mapped(async (ctx) => {
      const body = await readJsonBody(ctx, NEW_CLIENT);
      const { client, secret } = await service.register(body, changedBy(ctx));
      ctx.set('Location', `/admin/v1/clients/${encodeURIComponent(client.id)}`);
      answer(ctx, client, secret, 201);
    }),
  );

  router.get(
    '/clients/:id',
    mapped(async (ctx) => answer(ctx, await service.find(pathParam(ctx, 'id')), null)),
  );

  router.patch(
    '/clients/:id',
    mapped(async (ctx) => {
      const ifVersion = ifMatchVersion(ctx.get('If-Match'));
      const body = await readJsonBody(ctx, CLIENT_CHANGES);
      if (ifVersion === null) {
        throw new AdminProblem(
          412,
          'precondition-failed',
          'If-Match names no version of this client',
        );
      }
      const { client, secret } = await service.update(
        pathParam(ctx, 'id'),
        body,
        changedBy(ctx),
        ifVersion === undefined ? {} : { ifVersion },
      );
      answer(ctx, client, secret);
    }),
  );

  router.post(
    '/clients/:id/rotate-secret',
    mapped(async (ctx) => {
      const { client, secret } = await service.rotateSecret(pathParam(ctx, 'id'), changedBy(ctx));
      answer(ctx, client, secret);
    }),
  );

  router.delete(
    '/clients/:id',
    mapped(async (ctx) => {
      await service.delete(pathParam(ctx, 'id'), changedBy(ctx));
      ctx.status = 204;
    }),
  );

  return router;
}
