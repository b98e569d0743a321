import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { comparableAnswer, loopbackServers } from '../test-support/loopback-servers.js';
import { htmlErrors } from './koa-html-errors.js';

/** The page errors of /authorize and /login: a readable page, never a 500 for a client error. */
const servers = loopbackServers();
let base: string;

beforeAll(async () => {
  const app = new Koa();
  app.use(htmlErrors(silentLogger));
  app.use((ctx) => {
    if (ctx.path === '/koa-400') ctx.throw(400, 'malformed');
    if (ctx.path === '/koa-413') ctx.throw(413);
    if (ctx.path === '/hidden-400') throw Object.assign(new Error('x'), { status: 400 });
    throw new Error('unexpected');
  });
  base = await servers.listen(app.callback());
});
afterAll(() => servers.closeAll());

describe('htmlErrors', () => {
  it.each([
    ['/koa-400', 400],
    ['/koa-413', 413],
  ])('shows an exposed Koa client error %s as a page with its own status', async (path, status) => {
    const answer = await comparableAnswer(base, path);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.body).toContain('<html lang="en"');
  });

  it('keeps an unexposed or unexpected error a 500 page without internals', async () => {
    for (const path of ['/hidden-400', '/other']) {
      const answer = await comparableAnswer(base, path);
      expect(answer.status).toBe(500);
      expect(answer.body).not.toContain('unexpected');
    }
  });
});
