import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { RequestFacts } from './audit-event.js';

/** As much of a User-Agent as any real browser sends. */
const MAX_USER_AGENT = 512;

/**
 * The request an audited event came from. The request id is made here, on the first audited
 * event of a request, and answered as `X-Request-Id`, so that a user reporting a problem can
 * quote it and an operator finds the line: no id is made for the requests nothing audits
 * (JWKS, discovery, the token grants that succeed), which cost nothing extra.
 */
export function requestFacts(ctx: Context): RequestFacts {
  const state = ctx.state as { requestId?: string };
  if (state.requestId === undefined) {
    state.requestId = randomUUID();
    ctx.set('X-Request-Id', state.requestId);
  }
  const userAgent = ctx.get('User-Agent');
  return {
    address: ctx.ip || undefined,
    userAgent: userAgent === '' ? undefined : userAgent.slice(0, MAX_USER_AGENT),
    requestId: state.requestId,
  };
}
