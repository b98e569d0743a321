import { Router } from '@koa/router';
import type { Context } from 'koa';
import { requestFacts } from '../../audit/request-facts.js';
import { LINK_TTL_MS } from '../../account-links/account-links.js';
import { resetLinkFor } from '../../account-links/invitations.js';
import type { User } from '../../users/user.js';
import { adminCaller, changedBy, pathParam } from '../admin-auth.js';
import type { AdminDeps } from '../admin-deps.js';
import { AdminProblem, badRequest, notFound } from '../admin-problem.js';
import { pageParams, singleQuery } from '../cursor.js';
import { fields, readJsonBody, requireFields } from '../json-body.js';
import { ifMatchVersion, userEtag, userJson } from './user-json.js';

const NEW_USER = {
  username: fields.text(64),
  email: fields.text(254),
  name: fields.text(200),
  roles: fields.textList(20),
  password: fields.text(1024),
};

const nullable =
  (check: (value: unknown) => string | undefined) =>
  (value: unknown): string | undefined =>
    value === null ? undefined : check(value);

const USER_CHANGES = {
  email: nullable(fields.text(254)),
  email_verified: fields.boolean(),
  name: nullable(fields.text(200)),
  roles: fields.textList(20),
};

const MAX_SEARCH = 200;

/** Users: the account lifecycle's operations over HTTP, each change audited with its admin. */
export function userRoutes(deps: AdminDeps): Router {
  const router = new Router();
  const { users, accounts } = deps;

  const found = async (ctx: Context): Promise<User> => {
    const user = await users.findById(pathParam(ctx, 'id'));
    if (!user) throw notFound('no such user');
    return user;
  };
  const answer = (ctx: Context, user: User, status = 200) => {
    ctx.status = status;
    ctx.set('ETag', userEtag(user));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = userJson(user);
  };

  router.get('/users', async (ctx) => {
    const { limit, cursor } = pageParams(ctx);
    const search = singleQuery(ctx, 'search') ?? '';
    if (search.length > MAX_SEARCH) {
      throw badRequest(`search is longer than ${MAX_SEARCH} characters`, [
        { pointer: 'search', detail: `at most ${MAX_SEARCH} characters` },
      ]);
    }
    const scope = `users:${search}`;
    const after = cursor === undefined ? null : deps.cursors.open(scope, cursor);
    const page = await users.list({ after, limit, search: search === '' ? null : search });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      items: page.users.map(userJson),
      next_cursor: page.next === null ? null : deps.cursors.seal(scope, page.next),
    };
  });

  router.post('/users', async (ctx) => {
    const body = await readJsonBody(ctx, NEW_USER);
    requireFields(body, ['username']);
    const user = await accounts.add(
      {
        username: body.username as string,
        roles: (body.roles as string[] | undefined) ?? [],
        ...(body.email !== undefined && { email: body.email as string }),
        ...(body.name !== undefined && { name: body.name as string }),
        ...(body.password !== undefined && { password: body.password as string }),
      },
      changedBy(ctx),
    );
    ctx.set('Location', `/admin/v1/users/${encodeURIComponent(user.id)}`);
    answer(ctx, user, 201);
  });

  router.get('/users/:id', async (ctx) => answer(ctx, await found(ctx)));

  router.patch('/users/:id', async (ctx) => {
    const ifVersion = ifMatchVersion(ctx.get('If-Match'));
    const body = await readJsonBody(ctx, USER_CHANGES);
    if (ifVersion === null) {
      throw new AdminProblem(412, 'precondition-failed', 'If-Match names no version of this user');
    }
    const user = await accounts.update(
      pathParam(ctx, 'id'),
      {
        ...(body.email !== undefined && { email: body.email as string | null }),
        ...(body.name !== undefined && { name: body.name as string | null }),
        ...(body.email_verified !== undefined && { emailVerified: body.email_verified as boolean }),
        ...(body.roles !== undefined && { roles: body.roles as string[] }),
      },
      changedBy(ctx),
      ifVersion === undefined ? {} : { ifVersion },
    );
    answer(ctx, user);
  });

  router.delete('/users/:id', async (ctx) => {
    await accounts.remove(pathParam(ctx, 'id'), changedBy(ctx));
    ctx.status = 204;
  });

  router.post('/users/:id/disable', async (ctx) => {
    await accounts.disable(pathParam(ctx, 'id'), changedBy(ctx));
    answer(ctx, await found(ctx));
  });

  router.post('/users/:id/enable', async (ctx) => {
    await accounts.enable(pathParam(ctx, 'id'), changedBy(ctx));
    answer(ctx, await found(ctx));
  });

  router.post('/users/:id/reset-link', async (ctx) => {
    const user = await found(ctx);
    const { url } = await resetLinkFor(
      { users, links: deps.links, issuer: deps.config.issuer },
      user.username,
    );
    const purpose = user.state === 'pending' ? 'invite' : 'reset';
    await deps.audit.record({
      type: 'user.reset_link_issued',
      actor: adminCaller(ctx).actor,
      subject: user.id,
      request: requestFacts(ctx),
      detail: { purpose },
    });
    ctx.status = 201;
    // The link is a credential until it is used: no cache may keep it.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      url,
      purpose,
      expires_at: new Date(deps.now() + LINK_TTL_MS).toISOString(),
    };
  });

  router.post('/users/:id/reset-mfa', async (ctx) => {
    await accounts.resetSecondFactors(pathParam(ctx, 'id'), changedBy(ctx));
    ctx.status = 204;
  });

  return router;
}
