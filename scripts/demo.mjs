#!/usr/bin/env node
// `pnpm demo`: builds the IdP, both demo apps and the admin console (and serves the example SPA), makes sure Redis answers (starting a private
// redis-server when none does) and that a mail catcher does (starting maildev, this package's
// devDependency, when nothing answers on the SMTP port), starts the four services with one
// tagged, coloured log, and stops them all on Ctrl-C or as soon as one of them dies. Plain
// Node, no imports beyond it: it must run before anything else in the workspace works.
// @ts-check
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
// The demo clients are registered for the Contract's ports; other ports get a rewritten copy.
const DEMO_SHOP_URL = 'http://shop.localhost:3001';
const DEMO_WIKI_URL = 'http://wiki.localhost:3002';
const DEMO_CONSOLE_URL = 'http://console.localhost:3003';
const DEMO_SPA_URL = 'http://spa.localhost:3010';
const DEMO_ISSUER = 'http://idp.localhost:4000';

const useColour =
  Boolean(process.env.FORCE_COLOR) || (process.stdout.isTTY && !process.env.NO_COLOR);
const COLOURS = {
  demo: 33,
  redis: 31,
  mail: 34,
  idp: 36,
  shop: 35,
  wiki: 32,
  console: 94,
  spa: 92,
};
/** @typedef {keyof typeof COLOURS} Name */
/** @param {Name} name */
const tag = (name) => (useColour ? `\x1b[1;${COLOURS[name]}m[${name}]\x1b[0m` : `[${name}]`);
/** @param {string} line */
const say = (line) => process.stdout.write(`${tag('demo')} ${line}\n`);
/** @type {(lines: string | string[]) => never} */
const fail = (lines) => {
  process.stderr.write(`${tag('demo')} ${[lines].flat().join(`\n${tag('demo')} `)}\n`);
  process.exit(1);
};

/** @param {string} name @param {number} fallback */
function portFromEnv(name, fallback) {
  const raw = process.env[name] ?? String(fallback);
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) fail(`${name}: not a port number: "${raw}"`);
  return port;
}

const idpPort = portFromEnv('IDP_PORT', 4000);
const shopPort = portFromEnv('SHOP_PORT', 3001);
const wikiPort = portFromEnv('WIKI_PORT', 3002);
const consolePort = portFromEnv('CONSOLE_PORT', 3003);
const spaPort = portFromEnv('SPA_PORT', 3010);
// The demo mail catcher (the Contract's "demo mail inbox"): SMTP for the IdP, a web inbox.
const smtpPort = portFromEnv('DEMO_SMTP_PORT', 1025);
const inboxPort = portFromEnv('DEMO_INBOX_PORT', 1080);
const inboxUrl = `http://127.0.0.1:${inboxPort}`;
const issuer = `http://idp.localhost:${idpPort}`;
const shopUrl = `http://shop.localhost:${shopPort}`;
const wikiUrl = `http://wiki.localhost:${wikiPort}`;
const consoleUrl = `http://console.localhost:${consolePort}`;
const spaUrl = `http://spa.localhost:${spaPort}`;
const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

/** @type {string[]} */
const tempDirs = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-demo-'));
  tempDirs.push(dir);
  return dir;
};

/** Whether the demo has an inbox to show (ours, or one that answered already). */
let inboxShown = false;

/**
 * Every process the demo started, in start order; redis and mail (if ours) first, stopped last.
 * @type {Child[]}
 */
const children = [];
/** @type {Promise<never> | null} */
let stopping = null;
/** @typedef {{ name: Name, child: import('node:child_process').ChildProcess, exited: Promise<unknown> }} Child */
/** @typedef {{ host: string, port: number, tls: boolean }} RedisAddress */

process.on('SIGINT', () => void shutdown(0, 'stopping (Ctrl-C)'));
process.on('SIGTERM', () => void shutdown(0, 'stopping (SIGTERM)'));
// A closed terminal: the services lead process groups of their own, so they would outlive it.
process.on('SIGHUP', () => void shutdown(0, 'stopping (terminal closed)'));

await main();

async function main() {
  if (redisUrl.startsWith('memory://')) {
    fail([
      "REDIS_URL=memory:// keeps the IdP's state inside the IdP process, but the demo apps learn",
      'about revoked sessions from Redis (their revocation source), so they cannot use it.',
      'Unset REDIS_URL to use (or start) a Redis on 127.0.0.1:6379, or run the IdP alone with',
      '`REDIS_URL=memory:// pnpm idp`.',
    ]);
  }
  const redisAddress = parseRedisUrl(redisUrl);
  await refuseTakenPorts();

  // Redis first: saying that it is missing should not wait for a build.
  await ensureRedis(redisAddress);
  await ensureMailCatcher();

  say('building the IdP, the demo apps and the console…');
  const build = spawnSync(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      'build',
      '--filter=@latchkey/idp',
      '--filter=@latchkey/demo-shop',
      '--filter=@latchkey/demo-wiki',
      '--filter=@latchkey/console',
      '--output-logs=errors-only',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (build.error) await shutdown(1, `could not run the build: ${build.error.message}`);
  if (build.status !== 0)
    await shutdown(1, `the build failed (exit ${build.status ?? build.signal})`);
  const clientsFile = clientsFileForPorts();

  startChild('idp', process.execPath, [join(ROOT, 'apps/idp/dist/main.js')], {
    cwd: ROOT,
    env: {
      ISSUER: issuer,
      IDP_PORT: String(idpPort),
      REDIS_URL: redisUrl,
      CLIENTS_FILE: clientsFile,
      USERS_FILE: join(ROOT, 'apps/idp/demo/users.json'),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    },
  });
  const common = {
    ISSUER: issuer,
    IDP_INTERNAL_URL: `http://127.0.0.1:${idpPort}`,
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  startNextApp('shop', shopPort, {
    ...common,
    APP_URL: shopUrl,
    CLIENT_ID: 'shop',
    CLIENT_SECRET: 'shop-demo-secret',
    WIKI_URL: wikiUrl,
    WIKI_INTERNAL_URL: `http://127.0.0.1:${wikiPort}`,
  });
  startNextApp('wiki', wikiPort, {
    ...common,
    APP_URL: wikiUrl,
    CLIENT_ID: 'wiki',
    CLIENT_SECRET: 'wiki-demo-secret',
    SHOP_URL: shopUrl,
  });
  startNextApp('console', consolePort, {
    ...common,
    APP_URL: consoleUrl,
    CLIENT_ID: 'console',
    CLIENT_SECRET: 'console-demo-secret',
    // The demo users have no second factor; the console asks for one unless told not to.
    CONSOLE_REQUIRE_MFA: process.env.CONSOLE_REQUIRE_MFA ?? 'false',
  });
  // The example browser app (examples/spa): static files, nothing to build.
  startChild('spa', process.execPath, [join(ROOT, 'examples/spa/server.mjs')], {
    cwd: join(ROOT, 'examples/spa'),
    env: { ISSUER: issuer, SPA_PORT: String(spaPort), HOST: '127.0.0.1', APP_URL: spaUrl },
  });

  await waitUntilUp();
  printBox();
}

/** @param {string} url @returns {RedisAddress} */
function parseRedisUrl(url) {
  /** @type {URL} */
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    fail('REDIS_URL: not a URL (expected redis://host:port)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    fail('REDIS_URL: must start with redis:// or rediss://');
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port: Number(parsed.port || 6379), tls: parsed.protocol === 'rediss:' };
}

async function refuseTakenPorts() {
  /** @type {[string, string, number][]} */
  const wanted = [
    ['IdP', 'IDP_PORT', idpPort],
    ['shop', 'SHOP_PORT', shopPort],
    ['wiki', 'WIKI_PORT', wikiPort],
    ['console', 'CONSOLE_PORT', consolePort],
    ['example SPA', 'SPA_PORT', spaPort],
  ];
  const taken = [];
  for (const [what, name, port] of wanted) {
    if (!(await portIsFree(port))) taken.push(`port ${port} (${what}, ${name}) is already in use`);
  }
  if (new Set(wanted.map(([, , port]) => port)).size !== wanted.length) {
    taken.push('IDP_PORT, SHOP_PORT, WIKI_PORT, CONSOLE_PORT and SPA_PORT must be different ports');
  }
  if (taken.length > 0) {
    fail([
      ...taken,
      'Stop whatever holds it (an earlier `pnpm demo`?), or choose others, e.g. SHOP_PORT=3101.',
    ]);
  }
}

/** @param {number} port @returns {Promise<boolean>} */
function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * True when something speaking Redis answers PING (an auth error is an answer too).
 * @param {RedisAddress} address
 * @returns {Promise<boolean>}
 */
function redisAnswers({ host, port, tls }) {
  return new Promise((resolve) => {
    const socket = tls ? tlsConnect({ host, port, servername: host }) : netConnect(port, host);
    /** @param {boolean} answer */
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.once('data', (/** @type {Buffer} */ data) =>
      done(/^[+-]/.test(data.toString('latin1'))),
    );
  });
}

/** @param {RedisAddress} address */
async function ensureRedis(address) {
  const where = `${address.host}:${address.port}`;
  if (await redisAnswers(address)) {
    say(`Redis answers at ${where}`);
    return;
  }
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(address.host);
  const installed = !spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error;
  if (!loopback || address.tls || !installed) {
    fail([
      `nothing answers at REDIS_URL (${where}), and the demo needs Redis.`,
      ...(loopback && !address.tls
        ? [
            'Install it and run `pnpm demo` again (it starts redis-server by itself):',
            '  sudo apt-get install redis-server      (Debian/Ubuntu; brew install redis on macOS)',
            'or run one in a container:',
            `  docker run --rm -p ${address.port}:6379 redis:7`,
          ]
        : ['Start that Redis, or point REDIS_URL at one that answers.']),
      'REDIS_URL=memory:// runs the IdP alone (`pnpm idp`), but not this demo: the apps learn',
      'about revoked sessions from Redis, so they need a real one.',
    ]);
  }
  say(`nothing answers at ${where}: starting redis-server there (no persistence)`);
  const child = startChild(
    'redis',
    'redis-server',
    ['--port', String(address.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { cwd: tempDir(), env: {} },
  );
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(address))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await shutdown(1, `redis-server did not start on ${where}`);
    }
    await sleep(100);
  }
}

/**
 * True when an SMTP server greets on the port (`220 …`).
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function smtpAnswers(port) {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    /** @param {boolean} answer */
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (/** @type {Buffer} */ data) =>
      done(data.toString('latin1').startsWith('220')),
    );
  });
}

/**
 * Mail is part of the demo ("Forgot password?" sends a link) but not of signing in: when the
 * catcher cannot start, the demo says why and goes on without it.
 */
async function ensureMailCatcher() {
  if (await smtpAnswers(smtpPort)) {
    inboxShown = (await statusOf(`${inboxUrl}/api/email`)) === 200;
    say(
      `an SMTP server answers at 127.0.0.1:${smtpPort}: the IdP sends its mail there` +
        (inboxShown ? ` (inbox ${inboxUrl})` : ''),
    );
    return;
  }
  const maildev = join(ROOT, 'scripts/node_modules/maildev/dist/bin/maildev.js');
  if (!existsSync(maildev)) {
    say('maildev is not installed (run pnpm install): the demo runs without a mail inbox');
    return;
  }
  if (!(await portIsFree(inboxPort))) {
    say(`port ${inboxPort} (DEMO_INBOX_PORT) is taken: the demo runs without a mail inbox`);
    return;
  }
  say(`starting maildev: SMTP 127.0.0.1:${smtpPort}, inbox ${inboxUrl}`);
  // A folder of its own: by default maildev writes under /tmp/maildev, which another user's
  // demo may own (then every mail is refused with 450, and the IdP retries in vain).
  const home = tempDir();
  const child = startChild(
    'mail',
    process.execPath,
    [
      maildev,
      '--mail-directory',
      join(home, 'mail'),
      '--smtp',
      String(smtpPort),
      '--ip',
      '127.0.0.1',
      '--web',
      String(inboxPort),
      '--web-ip',
      '127.0.0.1',
    ],
    { cwd: home, env: {} },
  );
  const deadline = Date.now() + 15_000;
  while ((await statusOf(`${inboxUrl}/api/email`)) !== 200 || !(await smtpAnswers(smtpPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await shutdown(1, `maildev did not start on ports ${smtpPort} and ${inboxPort}`);
    }
    await sleep(100);
  }
  inboxShown = true;
}

/** The demo clients, with their redirect URIs and resources moved to the chosen ports. */
function clientsFileForPorts() {
  if (process.env.DEMO_CLIENTS_FILE) return process.env.DEMO_CLIENTS_FILE;
  const demoFile = join(ROOT, 'apps/idp/demo/clients.json');
  const text = readFileSync(demoFile, 'utf8');
  // The admin API's resource is under the issuer, so the IdP's port moves it too.
  const moved = text
    .replaceAll(DEMO_SHOP_URL, shopUrl)
    .replaceAll(DEMO_WIKI_URL, wikiUrl)
    .replaceAll(DEMO_CONSOLE_URL, consoleUrl)
    .replaceAll(DEMO_SPA_URL, spaUrl)
    .replaceAll(DEMO_ISSUER, issuer);
  if (moved === text) return demoFile;
  const file = join(tempDir(), 'clients.json');
  writeFileSync(file, moved);
  return file;
}

/** @param {'shop' | 'wiki' | 'console'} name @param {number} port @param {Record<string, string>} env */
function startNextApp(name, port, env) {
  const next = join(ROOT, `apps/${name}/node_modules/next/dist/bin/next`);
  if (!existsSync(next)) fail(`apps/${name} has no next installed: run pnpm install first`);
  startChild(
    name,
    process.execPath,
    [next, 'start', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: join(ROOT, `apps/${name}`),
      // One fresh secret per run: sessions from an earlier run simply end.
      env: { ...env, PORT: String(port), SESSION_SECRET: randomBytes(32).toString('base64url') },
    },
  );
}

/**
 * @param {Name} name
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env: Record<string, string> }} options
 */
function startChild(name, command, args, { cwd, env }) {
  // Its own process group, so that stopping it also stops anything it forked, and so that a
  // terminal's Ctrl-C reaches only this script, which then stops everyone in order.
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const entry = { name, child, exited: new Promise((resolve) => child.once('close', resolve)) };
  children.push(entry);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${tag(name)} ${line}\n`);
    });
  }
  child.once('error', (error) => void shutdown(1, `could not start ${name}: ${error.message}`));
  child.once('exit', (code, signal) => {
    if (!stopping)
      void shutdown(1, `${name} exited (${signal ?? `code ${code}`}); stopping the others`);
  });
  return child;
}

async function waitUntilUp() {
  /** @type {[Name, string, (status: number) => boolean][]} */
  const checks = [
    ['idp', `http://127.0.0.1:${idpPort}/readyz`, (status) => status === 200],
    ['shop', `http://127.0.0.1:${shopPort}/auth/login`, (status) => status < 500],
    ['wiki', `http://127.0.0.1:${wikiPort}/auth/login`, (status) => status < 500],
    ['console', `http://127.0.0.1:${consolePort}/auth/login`, (status) => status < 500],
    ['spa', `http://127.0.0.1:${spaPort}/`, (status) => status === 200],
  ];
  const pending = new Set(checks.map(([name]) => name));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (pending.size > 0) {
    for (const [name, url, good] of checks) {
      if (pending.has(name) && good(await statusOf(url))) pending.delete(name);
    }
    if (pending.size === 0 || stopping) break;
    if (Date.now() > deadline) {
      const names = [...pending].join(', ');
      await shutdown(
        1,
        `${names} did not come up within ${READY_TIMEOUT_MS / 1000} s (see its log above)`,
      );
    }
    await sleep(250);
  }
  if (stopping) await stopping;
}

/** @param {string} url */
async function statusOf(url) {
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 599;
  }
}

function printBox() {
  const revoke = 'pnpm --filter @latchkey/idp sessions revoke-user alice';
  // An embedded database (the default) is locked by the IdP's process: no command reaches it.
  const onServer = /^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '');
  const lines = [
    'Latchkey demo is running',
    '',
    `  IdP   ${issuer}`,
    `  shop  ${shopUrl}`,
    `  wiki  ${wikiUrl}`,
    `  admin console  ${consoleUrl}   (alice)`,
    `  example SPA    ${spaUrl}   (oidc-client-ts, a public client)`,
    '',
    'Demo users:',
    '  alice / wonderland-alice   (admin)',
    '  bob   / builder-bob        (user)',
    '',
    ...(inboxShown
      ? [
          `Mail inbox  ${inboxUrl}`,
          '  "Forgot password?" on the sign-in page mails a link there.',
          '',
        ]
      : []),
    'Sign in on one app, open the other (no password asked), then end',
    ...(onServer
      ? [
          "alice's sessions everywhere from another terminal:",
          `  ${revoke}`,
          '  (with the same REDIS_URL and DATABASE_URL as this demo)',
        ]
      : [
          "alice's sessions everywhere: log out in either app, or reset her",
          'password through "Forgot password?". The operator commands',
          `(${revoke})`,
          'need a PostgreSQL server: the embedded database belongs to the',
          'running IdP. Start the demo with DATABASE_URL=postgres://… for them.',
        ]),
    '',
    'Ctrl-C stops everything.',
  ];
  const width = Math.max(...lines.map((line) => line.length));
  const out = [
    `┌${'─'.repeat(width + 2)}┐`,
    ...lines.map((line) => `│ ${line.padEnd(width)} │`),
    `└${'─'.repeat(width + 2)}┘`,
  ];
  process.stdout.write(`\n${out.join('\n')}\n\n`);
}

/**
 * Stops every child (services first, our redis-server and maildev last), cleans up, and exits.
 * @param {number} code
 * @param {string} reason
 * @returns {Promise<never>}
 */
function shutdown(code, reason) {
  stopping ??= (async () => {
    say(reason);
    const infrastructure = children.filter(({ name }) => name === 'redis' || name === 'mail');
    await Promise.all(children.filter((child) => !infrastructure.includes(child)).map(stopChild));
    await Promise.all(infrastructure.map(stopChild));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}

/** @param {Child} entry */
async function stopChild({ child, exited }) {
  const pid = child.pid;
  if (pid === undefined) return;
  /** @param {NodeJS.Signals} signal */
  const signalGroup = (signal) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  if (child.exitCode === null && child.signalCode === null) signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
  // Anything the child forked and left behind in its group.
  signalGroup('SIGKILL');
}

/** @param {number} ms @returns {Promise<void>} */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
