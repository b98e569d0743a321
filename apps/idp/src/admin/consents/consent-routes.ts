import { Router } from '@koa/router';
import type { AppAccessRow } from '../../account/apps-view.js';
import { changedBy, pathParam } from '../admin-auth.js';
import type { AdminDeps } from '../admin-deps.js';
import { notFound } from '../admin-problem.js';

export function consentJson(app: AppAccessRow): Record<string, unknown> {
  return {
    client_id: app.clientId,
    client_name: app.name,
    scope: app.scopes.join(' '),
    granted_at: new Date(app.grantedAt).toISOString(),
  };
}

/**
 * A user's consents to third-party clients: listed, and removed one client at a time as the
 * account page's "Remove access" does (the grant and that client's refresh tokens for the
 * user), recorded with the admin as the actor.
 */
export function consentRoutes(deps: AdminDeps): Router {
  const router = new Router();
  const userOf = async (id: string) => {
    if (!(await deps.users.findById(id))) throw notFound('no such user');
    return id;
  };

  router.get('/users/:id/consents', async (ctx) => {
    const userId = await userOf(pathParam(ctx, 'id'));
    ctx.set('Cache-Control', 'no-store');
    const apps = deps.consents ? await deps.consents.list(userId) : [];
    ctx.body = { items: apps.map(consentJson) };
  });

  router.delete('/users/:id/consents/:client', async (ctx) => {
    const userId = await userOf(pathParam(ctx, 'id'));
    const client = pathParam(ctx, 'client');
    const removed = (await deps.consents?.remove(userId, client, changedBy(ctx))) ?? false;
    if (!removed) throw notFound('the user has not allowed this client');
    ctx.status = 204;
  });

  return router;
}
