import type { Middleware } from 'koa';
import type { KeyManager } from '../keys/key-manager.js';
import type { Store } from '../store/store.js';

/** Liveness: the process answers. Never depends on Redis, so a Redis outage is no restart loop. */
export function healthzRoute(): Middleware {
  return (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  };
}

/** Readiness: the store answers and signing keys are loaded; otherwise 503 with the reasons. */
export function readyzRoute(store: Store, keys: KeyManager): Middleware {
  return async (ctx) => {
    const reasons: string[] = [];
    try {
      await store.ping();
    } catch {
      // Only a shared store can fail to answer (memory never does), so name it for operators.
      reasons.push('store unreachable: Redis did not answer');
    }
    const keyProblem = keys.notReadyReason();
    if (keyProblem) reasons.push(keyProblem);
    ctx.set('Cache-Control', 'no-store');
    ctx.status = reasons.length === 0 ? 200 : 503;
    ctx.body = reasons.length === 0 ? { status: 'ready' } : { status: 'unavailable', reasons };
  };
}
