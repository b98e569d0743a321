import type { Middleware } from 'koa';

/** Middleware run one after another as one (what Koa does for app.use, for a single route). */
export function chain(middleware: readonly Middleware[]): Middleware {
  return (ctx, next) => {
    const step = (index: number): Promise<unknown> => {
      const current = middleware[index];
      if (!current) return Promise.resolve(next());
      return Promise.resolve(current(ctx, () => step(index + 1)));
    };
    return step(0);
  };
}
