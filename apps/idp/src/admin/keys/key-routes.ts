import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { KeySummary } from '../../keys/key-manager.js';
import { adminCaller, pathParam } from '../admin-auth.js';
import type { AdminDeps } from '../admin-deps.js';
import { notFound } from '../admin-problem.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function keyJson(key: KeySummary): Record<string, unknown> {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    created_at: iso(key.createdAt),
    activated_at: iso(key.activatedAt),
    retired_at: iso(key.retiredAt),
    revoked_at: iso(key.revokedAt),
  };
}

/**
 * Signing keys: the key manager's list, rotate and revoke (keys/key-commands.ts, the same
 * commands as `keys rotate` and `keys revoke`), recorded in the audit trail with the admin.
 * A handful of keys: one page, `next_cursor` always null.
 */
export function keyRoutes(deps: AdminDeps): Router {
  const router = new Router();
  const list = (ctx: Context) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { items: deps.keys.list().map(keyJson), next_cursor: null };
  };

  router.get('/keys', list);

  router.post('/keys/rotate', async (ctx) => {
    await deps.keys.rotateNow(adminCaller(ctx).actor);
    list(ctx);
  });

  router.post('/keys/:kid/revoke', async (ctx) => {
    const kid = pathParam(ctx, 'kid');
    if (!deps.keys.list().some((key) => key.kid === kid)) throw notFound('no such key');
    await deps.keys.revoke(kid, adminCaller(ctx).actor);
    list(ctx);
  });

  return router;
}
