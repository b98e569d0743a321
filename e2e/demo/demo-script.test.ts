import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, sleep, waitFor } from '@latchkey/testing';
import { ROOT } from '../support/paths.js';

/** `pnpm demo` is `node scripts/demo.mjs`; run it directly to hold its pid. */
function runDemo(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['scripts/demo.mjs'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** From /proc rather than `ps`, which slim machines lack (the test reads /proc below anyway). */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it exited meanwhile
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

/**
 * Distinct free ports: the IdP, the apps, and a Redis and a mail catcher (SMTP and inbox)
 * that nothing answers on yet.
 */
async function demoPorts(): Promise<
  Record<'idp' | 'shop' | 'wiki' | 'console' | 'spa' | 'redis' | 'smtp' | 'inbox', number>
> {
  const ports = { idp: 0, shop: 0, wiki: 0, console: 0, spa: 0, redis: 0, smtp: 0, inbox: 0 };
  for (const name of Object.keys(ports) as (keyof typeof ports)[]) {
    do ports[name] = await freePort();
    while (Object.values(ports).filter((port) => port === ports[name]).length > 1);
  }
  return ports;
}

/** Runs the demo on `ports` until it prints its URL box; returns it with its children's pids. */
async function startDemoOn(ports: Awaited<ReturnType<typeof demoPorts>>) {
  const demo = runDemo({
    IDP_PORT: String(ports.idp),
    SHOP_PORT: String(ports.shop),
    WIKI_PORT: String(ports.wiki),
    CONSOLE_PORT: String(ports.console),
    SPA_PORT: String(ports.spa),
    // Nothing answers there, so the script starts its own redis-server, and must stop it.
    REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
    // The same for the mail catcher (maildev).
    DEMO_SMTP_PORT: String(ports.smtp),
    DEMO_INBOX_PORT: String(ports.inbox),
  });
  started.push(demo.child);
  // Building is part of the run: the cache makes it quick when the apps are built already.
  await Promise.race([
    waitFor('the URL box', () => /└─+┘/.test(demo.output()), {
      timeoutMs: 170_000,
      intervalMs: 250,
    }),
    demo.exited.then((code) => {
      throw new Error(`the demo exited (${code}) before printing its URLs:\n${demo.output()}`);
    }),
  ]);
  const pids = childPids(demo.child.pid!);
  servicePids.push(...pids);
  return { ...demo, pids };
}

/** No process left and nothing listening on any of the demo's ports. */
async function expectAllGone(pids: number[], ports: Record<string, number>): Promise<void> {
  // Give the kernel a moment to release the sockets of processes that just exited.
  await sleep(100);
  expect(pids.filter(alive)).toEqual([]);
  for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
}

const started: ChildProcess[] = [];
const servicePids: number[] = [];
afterAll(() => {
  // Only if a test failed half-way: the script's own shutdown is what the tests check. Its
  // services lead process groups of their own (so that Ctrl-C reaches only the script), and
  // a SIGKILLed script cannot stop them: stop them here, then the script.
  for (const child of started) {
    if (child.exitCode === null && child.pid !== undefined)
      servicePids.push(...childPids(child.pid));
  }
  for (const pid of servicePids.filter(alive)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('pnpm demo (scripts/demo.mjs)', () => {
  it('refuses a taken port before building anything, naming it', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const demo = runDemo({ SHOP_PORT: String(port) });
      started.push(demo.child);
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toContain(`port ${port} (shop, SHOP_PORT) is already in use`);
      expect(demo.output()).not.toContain('building');
    } finally {
      blocker.close();
    }
  });

  it('starts Redis, maildev, the IdP, both apps and the console, prints the URLs, stops all on Ctrl-C', async () => {
    const ports = await demoPorts();
    let demo: Awaited<ReturnType<typeof startDemoOn>> | undefined;
    try {
      demo = await startDemoOn(ports);
      const box = demo.output().slice(demo.output().indexOf('┌'));
      expect(box).toContain(`http://idp.localhost:${ports.idp}`);
      expect(box).toContain(`http://shop.localhost:${ports.shop}`);
      expect(box).toContain(`http://wiki.localhost:${ports.wiki}`);
      expect(box).toContain(`http://console.localhost:${ports.console}`);
      expect(box).toContain(`http://spa.localhost:${ports.spa}`);
      expect(box).toContain('alice / wonderland-alice');
      expect(box).toContain('bob   / builder-bob');
      expect(box).toContain('pnpm --filter @latchkey/idp sessions revoke-user alice');
      expect(box).toContain(`Mail inbox  http://127.0.0.1:${ports.inbox}`);
      expect(demo.output()).toMatch(/^\[idp\] /m);
      expect(demo.output()).toMatch(/^\[shop\] /m);

      const ready = await fetch(`http://127.0.0.1:${ports.idp}/readyz`);
      expect(ready.status).toBe(200);
      for (const app of ['shop', 'wiki', 'console'] as const) {
        // The login redirect proves the app runs with the clients moved to these ports.
        const login = await fetch(`http://127.0.0.1:${ports[app]}/auth/login`, {
          redirect: 'manual',
        });
        expect(login.status).toBe(302);
        const authorize = new URL(login.headers.get('location') ?? '');
        expect(authorize.origin).toBe(`http://idp.localhost:${ports.idp}`);
        expect(authorize.searchParams.get('redirect_uri')).toBe(
          `http://${app}.localhost:${ports[app]}/auth/callback`,
        );
      }
      // The console's token is for the admin API, under the issuer on its moved port; the IdP
      // takes the request (its login form, not an error), so the client file moved it too.
      const consoleLogin = await fetch(`http://127.0.0.1:${ports.console}/auth/login`, {
        redirect: 'manual',
      });
      const consoleAuthorize = new URL(consoleLogin.headers.get('location') ?? '');
      expect(consoleAuthorize.searchParams.get('resource')).toBe(
        `http://idp.localhost:${ports.idp}/admin/v1`,
      );
      const atIdp = await fetch(
        `http://127.0.0.1:${ports.idp}${consoleAuthorize.pathname}${consoleAuthorize.search}`,
        { redirect: 'manual' },
      );
      expect(atIdp.headers.get('location') ?? '').toMatch(/^\/login\?authz=/);

      // "Forgot password?" reaches the inbox: the IdP was given the catcher's SMTP_URL.
      const forgot = await fetch(`http://127.0.0.1:${ports.idp}/forgot-password`);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await forgot.text())?.[1] ?? '';
      const cookie = (forgot.headers.get('set-cookie') ?? '').split(';')[0]!;
      const asked = await fetch(`http://127.0.0.1:${ports.idp}/forgot-password`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
        body: new URLSearchParams({ csrf, email: 'alice@example.com' }),
      });
      expect(asked.status).toBe(200);
      await waitFor(
        'the reset mail in the inbox',
        async () => {
          const inbox = await fetch(`http://127.0.0.1:${ports.inbox}/api/email`);
          const mails = (await inbox.json()) as { subject: string; text: string }[];
          return mails.some(
            (mail) =>
              mail.subject === 'Reset your Latchkey password' &&
              mail.text.includes(`http://idp.localhost:${ports.idp}/reset-password?token=`),
          );
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      );

      // The example SPA is served, set for the IdP on its moved port, and registered there (its
      // origin may call /token: the client file moved it too).
      const spaConfig = (await (
        await fetch(`http://127.0.0.1:${ports.spa}/config.json`)
      ).json()) as Record<string, string>;
      expect(spaConfig).toMatchObject({
        issuer: `http://idp.localhost:${ports.idp}`,
        appUrl: `http://spa.localhost:${ports.spa}`,
        clientId: 'spa',
      });
      const spaPreflight = await fetch(`http://127.0.0.1:${ports.idp}/token`, {
        method: 'OPTIONS',
        headers: { Origin: spaConfig.appUrl!, 'Access-Control-Request-Method': 'POST' },
      });
      expect(spaPreflight.headers.get('access-control-allow-origin')).toBe(spaConfig.appUrl);

      // redis-server, maildev, the IdP, shop, wiki, console, the example SPA
      expect(demo.pids).toHaveLength(7);
      const stoppedAt = Date.now();
      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
      // Next.js and the IdP stop at SIGTERM; the script's SIGKILL comes only after 5 s.
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    } catch (error) {
      process.stderr.write(`--- demo output ---\n${demo?.output()}\n---\n`);
      throw error;
    }
    await expectAllGone(demo.pids, ports);
  });

  it('stops everything and exits non-zero when one of its services dies', async () => {
    const ports = await demoPorts();
    let demo: Awaited<ReturnType<typeof startDemoOn>> | undefined;
    try {
      demo = await startDemoOn(ports);
      // Next.js retitles its process, so the working directory tells which app it is.
      const shop = demo.pids.find((pid) => readlinkSync(`/proc/${pid}/cwd`).endsWith('/apps/shop'));
      expect(shop).toBeDefined();
      process.kill(shop!, 'SIGKILL');
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toMatch(/shop exited \(SIGKILL\); stopping the others/);
    } catch (error) {
      process.stderr.write(`--- demo output ---\n${demo?.output()}\n---\n`);
      throw error;
    }
    await expectAllGone(demo.pids, ports);
  });
});
