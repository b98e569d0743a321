import type { Middleware } from 'koa';

/** Liveness: the process answers. Never depends on Redis, so a Redis outage is no restart loop. */
export function healthzRoute(): Middleware {
  return (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  };
}

/**
 * One readiness check: null when ready, else the reason an operator reads. Given by the app
 * (store reachable, keys loaded), so this floor needs to know neither.
 */
export type ReadinessProbe = () => string | null | Promise<string | null>;

/** Readiness: every probe passes; otherwise 503 with the reasons, in the probes' order. */
export function readyzRoute(probes: readonly ReadinessProbe[]): Middleware {
  return async (ctx) => {
    const reasons: string[] = [];
    for (const probe of probes) {
      const reason = await probe();
      if (reason) reasons.push(reason);
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.status = reasons.length === 0 ? 200 : 503;
    ctx.body = reasons.length === 0 ? { status: 'ready' } : { status: 'unavailable', reasons };
  };
}
