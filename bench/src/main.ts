/**
 * `pnpm bench`: runs the cases in order, prints one table, and writes it as JSON and Markdown
 * under bench/results/. Starts and stops its own Redis, IdP and peers, on loopback only.
 *
 *   pnpm bench                       everything (~15 minutes)
 *   pnpm bench -- --quick            short rounds, rough figures (development)
 *   pnpm bench -- --only verify-new,jwks
 */
import { fileURLToPath } from 'node:url';
import { findTestPostgres, startTestRedis, type TestRedis } from '@latchkey/testing';
import { CASES } from './cases/index.js';
import { parseArgs } from './cli-args.js';
import type { BenchContext } from './context.js';
import { startBareKoa, type BaselineServer } from './peers/bare-koa.js';
import { startOidcProvider, type OidcPeer } from './peers/oidc-provider.js';
import { describeMachine, machineLine } from './report/machine.js';
import type { Row } from './report/row.js';
import { textTable } from './report/table.js';
import { writeReport } from './report/write.js';
import { startBenchIdp, type BenchIdp } from './services/idp.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
/** The whole run must end by itself: a case still going after this is abandoned. */
const RUN_LIMIT_MS = 20 * 60_000;

async function main(): Promise<number> {
  const args = parseArgs(
    process.argv.slice(2),
    CASES.map((c) => c.name),
  );
  const started = Date.now();
  const machine = describeMachine();
  const log = (line: string): void => {
    process.stderr.write(
      `[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`,
    );
  };
  log(machineLine(machine));

  const stops: (() => Promise<void>)[] = [];
  const once = <T>(start: () => Promise<T>, stop: (value: T) => Promise<void>) => {
    let value: Promise<T> | undefined;
    return () =>
      (value ??= start().then((started) => {
        stops.push(() => stop(started));
        return started;
      }));
  };
  const redis = once<TestRedis>(
    () => startTestRedis(),
    (r) => r.kill(),
  );
  // The shared IdP's directory on the PostgreSQL server, as deployed; PGlite (in the IdP's
  // own process, where its work would count as the IdP's) only when no server answers.
  const idp = once<{ idp: BenchIdp; drop: () => Promise<void> }>(
    async () => {
      const server = await findTestPostgres();
      const database = server.available ? await server.createDatabase() : undefined;
      if (!server.available) log(`the shared IdP's directory: PGlite (${server.reason})`);
      return {
        idp: await startBenchIdp((await redis()).url, {
          ...(database && { databaseUrl: database.url }),
        }),
        drop: () => database?.drop() ?? Promise.resolve(),
      };
    },
    async ({ idp, drop }) => {
      await idp.stop();
      await drop();
    },
  );
  const context: BenchContext = {
    quick: args.quick,
    log,
    redis,
    idp: async () => (await idp()).idp,
    oidcProvider: once<OidcPeer>(startOidcProvider, (p) => p.stop()),
    bareKoa: once<BaselineServer>(
      async () => {
        const response = await fetch(`${(await idp()).idp.url}/jwks`);
        return startBareKoa(Buffer.from(await response.arrayBuffer()));
      },
      (b) => b.stop(),
    ),
    oneCoreRatios: new Map(),
  };

  const rows: Row[] = [];
  const failures: { case: string; error: string }[] = [];
  const selected = CASES.filter((c) => args.only === null || args.only.includes(c.name));
  let timer: NodeJS.Timeout | undefined;
  try {
    for (const benchCase of selected) {
      const left = RUN_LIMIT_MS - (Date.now() - started);
      log(`${benchCase.name}: ${benchCase.title}`);
      try {
        const caseRows = await Promise.race([
          benchCase.run(context),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error('the 20-minute run limit was reached')),
              left,
            );
          }),
        ]);
        rows.push(...caseRows);
        process.stderr.write(`${textTable(caseRows)}\n`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${benchCase.name} failed: ${message}`);
        failures.push({ case: benchCase.name, error: message.split('\n')[0]! });
        if (message.includes('run limit')) break;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }

  const durationSec = (Date.now() - started) / 1000;
  process.stdout.write(
    `\nLatchkey benchmarks · ${machineLine(machine)} · ${durationSec.toFixed(0)} s\n\n`,
  );
  process.stdout.write(`${textTable(rows)}\n`);
  for (const failure of failures)
    process.stdout.write(`FAILED ${failure.case}: ${failure.error}\n`);
  const files = await writeReport(RESULTS, {
    machine,
    quick: args.quick,
    only: args.only,
    durationSec,
    rows,
    failures,
  });
  process.stdout.write(`\nWritten: ${files.slice(0, 2).join(', ')}\n`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
