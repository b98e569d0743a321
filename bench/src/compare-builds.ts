/**
 * `pnpm --filter @latchkey/bench compare -- DIST DIST [DIST ...]`: the three token grants
 * against several builds of the IdP in one run, rounds alternating, to quote a change's
 * before and after (bench README, "Comparing builds"). Each DIST is a directory beside
 * apps/idp/dist (`dist-faea437`, say) holding an older build; `dist` is the current one. Each
 * build gets its own Redis and its own database on the PostgreSQL server; nothing is pinned,
 * so the load generator shares the cores, alike for every build.
 */
import { findTestPostgres, startTestRedis, type TestRedis } from '@latchkey/testing';
import type { BenchContext } from './context.js';
import { latchkeyServer, type GrantServer } from './grants/grant-server.js';
import { clientCredentialsRounds, codeRounds, refreshRounds } from './grants/grant-rounds.js';
import type { HttpRoundsResult } from './runner/http-rounds.js';
import { startLoadGenerator } from './runner/load.js';
import { roundRatios } from './runner/rounds.js';
import { openIdpFixtures, type IdpFixtures } from './services/idp-fixtures.js';
import { IDP_DIR, startBenchIdp, type BenchIdp } from './services/idp.js';

const builds = process.argv.slice(2).filter((arg) => arg !== '--');
if (builds.length < 2 || builds.some((dir) => !/^dist(-[\w.-]+)?$/.test(dir))) {
  process.stderr.write('usage: compare -- DIST DIST [DIST ...]   (e.g. dist-faea437 dist)\n');
  process.exit(2);
}
const context: BenchContext = {
  quick: process.env.COMPARE_QUICK === '1',
  log: (line) => process.stderr.write(`${line}\n`),
  redis: unused,
  idp: unused,
  oidcProvider: unused,
  bareKoa: unused,
  oneCoreRatios: new Map(),
};

const server = await findTestPostgres();
if (!server.available) throw new Error(`compare needs a PostgreSQL server: ${server.reason}`);
const load = startLoadGenerator();
const started: { idp: BenchIdp; redis: TestRedis; fixtures: IdpFixtures }[] = [];
try {
  const servers: GrantServer[] = [];
  for (const name of builds) {
    const redis = await startTestRedis();
    const database = await server.createDatabase();
    const idp = await startBenchIdp(redis.url, {
      databaseUrl: database.url,
      main: `${IDP_DIR}${name}/main.js`,
    });
    const fixtures = await openIdpFixtures(redis.url);
    started.push({ idp, redis, fixtures });
    servers.push({
      ...latchkeyServer(name, idp, fixtures),
      cpuMicros: async () => (await idp.probe('sample')).cpuMicros,
    });
  }
  report('client_credentials', await clientCredentialsRounds(context, load, servers, 16));
  report('code redemption', await codeRounds(context, load, servers, 16));
  report('refresh', await refreshRounds(context, load, servers, 16));
} finally {
  await load.close();
  for (const { idp, redis, fixtures } of started) {
    await fixtures.close();
    await idp.stop();
    await redis.kill();
  }
}

function report(grant: string, result: HttpRoundsResult): void {
  const [base] = builds as [string];
  for (const name of builds) {
    const rate = Math.round(result.rps.figures.get(name)!.median);
    const ratio =
      name === base ? '' : `  ${roundRatios(result.rps, name, base).median.toFixed(2)}×`;
    const cpu = result.cpuPerAnswer.figures.get(name)?.median;
    // Base over this build: above 1 when this build costs less per answer.
    const cpuRatio =
      name === base ? '' : `  ${roundRatios(result.cpuPerAnswer, base, name).median.toFixed(2)}×`;
    process.stdout.write(
      `${grant.padEnd(20)} ${name.padEnd(14)} ${String(rate).padStart(6)}/s` +
        `  p99 ${result.p99Ms.get(name)!.median} ms${ratio}` +
        (cpu === undefined ? '\n' : `   IdP CPU ${cpu.toFixed(0)} µs/answer${cpuRatio}\n`),
    );
  }
}

function unused(): never {
  throw new Error('compare-builds starts its own servers');
}
