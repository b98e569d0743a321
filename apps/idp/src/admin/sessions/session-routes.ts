import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { Session } from '../../sessions/session.js';
import { sessionAcr, sessionAmr } from '../../sessions/session.js';
import { changedBy, pathParam } from '../admin-auth.js';
import type { AdminDeps } from '../admin-deps.js';
import { badRequest, notFound } from '../admin-problem.js';
import { pageParams, singleQuery } from '../cursor.js';

export function sessionJson(session: Session): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    sid: session.sid,
    user_id: session.sub,
    username: session.username,
    created_at: iso(session.createdAt),
    last_seen_at: iso(session.lastSeenAt),
    expires_at: iso(session.expiresAt),
    auth_time: iso(session.authTime * 1000),
    amr: [...sessionAmr(session)],
    acr: sessionAcr(session),
    user_agent: session.userAgent ?? null,
    address: session.address ?? null,
  };
}

/** Newest first; the sid breaks ties so that the order, and so the cursor, is total. */
const position = (session: Session) =>
  `${String(session.createdAt).padStart(15, '0')}|${session.sid}`;

/**
 * IdP sessions: listed per user (they live in the store under the user), shown, revoked one by
 * one or all of a user's at once, through the revoker, which tells every service and records
 * the admin as the actor.
 */
export function sessionRoutes(deps: AdminDeps): Router {
  const router = new Router();

  const listOf = async (ctx: Context, userId: string) => {
    if (!(await deps.users.findById(userId))) throw notFound('no such user');
    const { limit, cursor } = pageParams(ctx);
    const scope = `sessions:${userId}`;
    const after = cursor === undefined ? undefined : deps.cursors.open(scope, cursor);
    const live = (await deps.sessions.listForUser(userId, deps.now()))
      .sort((a, b) => (position(a) < position(b) ? 1 : -1))
      .filter((session) => after === undefined || position(session) < after);
    const page = live.slice(0, limit);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      items: page.map(sessionJson),
      next_cursor:
        live.length > limit ? deps.cursors.seal(scope, position(page[page.length - 1]!)) : null,
    };
  };
  const found = async (ctx: Context): Promise<Session> => {
    const session = await deps.sessions.find(pathParam(ctx, 'sid'), deps.now());
    if (!session) throw notFound('no such session (or it ended)');
    return session;
  };

  router.get('/sessions', async (ctx) => {
    const userId = singleQuery(ctx, 'user_id');
    if (userId === undefined || userId === '') {
      throw badRequest('user_id is required', [{ pointer: 'user_id', detail: 'required' }]);
    }
    await listOf(ctx, userId);
  });
  router.get('/users/:id/sessions', (ctx) => listOf(ctx, pathParam(ctx, 'id')));

  router.get('/sessions/:sid', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = sessionJson(await found(ctx));
  });

  router.delete('/sessions/:sid', async (ctx) => {
    await deps.revoker.revokeSession(await found(ctx), 'admin', changedBy(ctx));
    ctx.status = 204;
  });

  router.delete('/users/:id/sessions', async (ctx) => {
    const userId = pathParam(ctx, 'id');
    if (!(await deps.users.findById(userId))) throw notFound('no such user');
    const revoked = await deps.revoker.revokeUser(userId, 'admin', changedBy(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { revoked };
  });

  return router;
}
